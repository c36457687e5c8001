using Microsoft.AspNetCore.Mvc;

namespace Capacity.WebApi.Problems;

/// <summary>Request body size limit, enforced by Kestrel and, for declared lengths, before any reading.</summary>
public static class RequestLimits
{
    /// <summary>64 KB: every request body of this API is a few hundred bytes.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>48 KB: room for 500 codes of 64 characters in a query string.</summary>
    public const int MaxRequestLineBytes = 48 * 1024;

    /// <summary>
    /// Answers 413 problem details at once when Content-Length is over the limit, and when a body of undeclared
    /// length (chunked) passes Kestrel's limit while the endpoint reads it.
    /// </summary>
    public static IApplicationBuilder UseBodySizeLimit(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            if (http.Request.ContentLength > MaxBodyBytes)
            {
                http.Response.Headers.Connection = "close";
                await WritePayloadTooLargeAsync(http);
                return;
            }

            await next(http);

            // Minimal APIs catch Kestrel's 413 while binding the body and answer a bare status code, which the
            // status-code page would turn into a problem without our stable type.
            if (http.Response.StatusCode == StatusCodes.Status413PayloadTooLarge && !http.Response.HasStarted)
            {
                await WritePayloadTooLargeAsync(http);
            }
        });

    private static async Task WritePayloadTooLargeAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = ProblemExceptionHandler.PayloadTooLarge(),
        });
    }
}
