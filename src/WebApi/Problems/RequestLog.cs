using Microsoft.AspNetCore.Diagnostics;

namespace Capacity.WebApi.Problems;

/// <summary>
/// How logs name a request: by its route pattern (<c>/api/members/by-id-number/{idNumber}</c>), never by its path,
/// so personal data a path carries (a member's id number) never reaches a log line. The trace id ties the line to
/// the request.
/// </summary>
internal static class RequestLog
{
    public static string RouteOf(HttpContext http)
    {
        // Inside the exception handler the request's endpoint has been cleared; the handler feature keeps it.
        var endpoint = http.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? http.GetEndpoint();
        return endpoint is RouteEndpoint { RoutePattern.RawText: { } pattern } ? pattern : "(no route)";
    }
}
