using Capacity.Domain.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capacity.WebApi.Problems;

/// <summary>The one mapping from expected domain errors to RFC 9457 problem details.</summary>
public static class ErrorProblems
{
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Gone => StatusCodes.Status410Gone,
        ErrorKind.Busy => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public static ProblemHttpResult ToProblem(this Error error, HttpContext http)
    {
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            http.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Problem(
            detail: error.Message,
            statusCode: StatusOf(error.Kind),
            title: Title(error.Kind),
            type: ProblemTypes.For(error.Code),
            extensions: new Dictionary<string, object?> { ["code"] = error.Code });
    }

    private static string Title(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => "Not found",
        ErrorKind.Conflict => "Conflict",
        ErrorKind.Gone => "No longer available",
        ErrorKind.Busy => "Busy, retry shortly",
        _ => "Error",
    };
}
