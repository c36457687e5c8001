using System.Globalization;
using System.Text;
using System.Text.Json;
using Capacity.Application.Common.Resilience;
using FluentValidation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Polly.CircuitBreaker;

namespace Capacity.WebApi.Problems;

/// <summary>
/// Turns every exception that reaches the host into problem details: invalid input (400/413), database
/// unavailable or circuit open (503 + Retry-After), anything else 500 without internals. In every environment.
/// </summary>
internal sealed partial class ProblemExceptionHandler(
    IProblemDetailsService problems,
    IDatabaseFaults databaseFaults,
    ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    private const int DatabaseRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ValidationException validation => Validation(validation),
            BadHttpRequestException bad => BadRequest(bad),
            JsonException json => Malformed(json),
            InvalidOperationException when UnknownCharset(http.Request) is { } charset => UnsupportedCharset(charset),
            _ when databaseFaults.IsRefusedText(exception) => UnstorableText(),
            BrokenCircuitException broken => Unavailable(http, broken.RetryAfter, "The database is unavailable; requests that need it fail fast until it recovers."),
            _ when databaseFaults.IsUnavailable(exception) => Unavailable(http, TimeSpan.FromSeconds(DatabaseRetryAfterSeconds), "The database did not answer."),
            _ => null,
        };

        if (problem is null)
        {
            LogUnhandled(logger, exception, http.Request.Method, RequestLog.RouteOf(http), http.TraceIdentifier);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Type = ProblemTypes.Internal,
                Title = "Unexpected error",
                Detail = "The server failed to handle the request. It has been logged.",
            };
        }

        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private static ProblemDetails Validation(ValidationException exception)
    {
        var failures = exception.Errors.ToList();
        return new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Type = ProblemTypes.Validation,
            Title = "One or more fields are invalid",
            Detail = string.Join(" ", failures.Select(f => f.ErrorMessage).Distinct()),
            Extensions =
            {
                ["errors"] = failures
                    .GroupBy(f => JsonNamingPolicy.CamelCase.ConvertName(f.PropertyName))
                    .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray()),
                ["violations"] = failures
                    .Select(f => new
                    {
                        field = JsonNamingPolicy.CamelCase.ConvertName(f.PropertyName),
                        rule = RuleName(f.ErrorCode),
                        message = f.ErrorMessage,
                    })
                    .ToArray(),
            },
        };
    }

    private static string RuleName(string errorCode) =>
        errorCode.EndsWith("Validator", StringComparison.Ordinal) ? errorCode[..^"Validator".Length] : errorCode;

    private static ProblemDetails BadRequest(BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return PayloadTooLarge();
        }

        if (exception.InnerException is JsonException json)
        {
            return Malformed(json);
        }

        if (IsMissingBody(exception))
        {
            return new ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Type = ProblemTypes.MalformedRequest,
                Title = "Malformed JSON body",
                Detail = "The JSON body at '$' is empty or null: a JSON object is required.",
                Extensions = { ["field"] = "$" },
            };
        }

        return new ProblemDetails
        {
            Status = exception.StatusCode is >= 400 and < 500 ? exception.StatusCode : StatusCodes.Status400BadRequest,
            Type = ProblemTypes.MalformedRequest,
            Title = "Malformed request",
            Detail = exception.Message,
        };
    }

    /// <summary>
    /// An empty body or a JSON <c>null</c> for a required body parameter. Minimal APIs word it for the developer
    /// ("Implicit body inferred for parameter ... Did you mean to use a Service instead?"), naming a C# parameter.
    /// </summary>
    private static bool IsMissingBody(BadHttpRequestException exception) =>
        exception.Message.StartsWith("Implicit body inferred for parameter", StringComparison.Ordinal)
        || exception.Message.EndsWith("was not provided from body.", StringComparison.Ordinal);

    /// <summary>
    /// The charset of a JSON Content-Type that .NET has no encoding for. Reading the body then throws an
    /// InvalidOperationException, which would otherwise be a 500.
    /// </summary>
    private static string? UnknownCharset(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.Charset is not { Length: > 0 } charset)
        {
            return null;
        }

        try
        {
            Encoding.GetEncoding(charset.Value!);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return charset.Value;
        }
    }

    private static ProblemDetails UnsupportedCharset(string charset) => new()
    {
        Status = StatusCodes.Status415UnsupportedMediaType,
        Type = ProblemTypes.UnsupportedMediaType,
        Title = "Unsupported charset",
        Detail = $"The charset '{charset}' of the Content-Type is not supported; send UTF-8 JSON (application/json).",
    };

    private static ProblemDetails UnstorableText() => new()
    {
        Status = StatusCodes.Status400BadRequest,
        Type = ProblemTypes.MalformedRequest,
        Title = "Text cannot be stored",
        Detail = "A text value holds a character that cannot be stored, such as U+0000 (NUL).",
    };

    private static ProblemDetails Malformed(JsonException json) => new()
    {
        Status = StatusCodes.Status400BadRequest,
        Type = ProblemTypes.MalformedRequest,
        Title = "Malformed JSON body",
        Detail = json.Path is { Length: > 0 } path
            ? $"The JSON body could not be read at '{path}': the value is missing, malformed or of the wrong type."
            : "The JSON body could not be read: it is empty or not valid JSON.",
        Extensions = { ["field"] = json.Path },
    };

    internal static ProblemDetails PayloadTooLarge() => new()
    {
        Status = StatusCodes.Status413PayloadTooLarge,
        Type = ProblemTypes.PayloadTooLarge,
        Title = "Request body too large",
        Detail = $"Request bodies are limited to {RequestLimits.MaxBodyBytes} bytes.",
    };

    private static ProblemDetails Unavailable(HttpContext http, TimeSpan? retryAfter, string detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling((retryAfter ?? TimeSpan.FromSeconds(DatabaseRetryAfterSeconds)).TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Type = ProblemTypes.DatabaseUnavailable,
            Title = "Service unavailable",
            Detail = detail,
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Route} (traceId {TraceId}).")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string route, string traceId);
}
