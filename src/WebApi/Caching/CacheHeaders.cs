using System.Globalization;
using Capacity.Application.Common.Caching;

namespace Capacity.WebApi.Caching;

/// <summary>
/// Every cached GET says how it was served: <c>X-Cache: hit | miss | stale</c> (a Redis hit is a hit), and
/// <c>Age</c> in seconds on a stale answer (fail-safe served a value past its fresh duration: the database could not
/// be read). The caching behavior and the composite-read ports report to the request's <see cref="CacheServe"/>.
/// </summary>
internal static class CacheHeaders
{
    public const string Header = "X-Cache";

    public static IApplicationBuilder UseCacheHeaders(this IApplicationBuilder app) => app.Use(static (http, next) =>
    {
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            return next(http);
        }

        var serve = CacheServe.Begin();
        http.Response.OnStarting(static state =>
        {
            var (response, serve) = ((HttpResponse, CacheServe))state;
            if (serve.Outcome is { } outcome)
            {
                response.Headers[Header] = outcome switch
                {
                    CacheOutcome.Hit => "hit",
                    CacheOutcome.Miss => "miss",
                    _ => "stale",
                };
                if (serve.Age is { } age)
                {
                    response.Headers.Age = ((long)age.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                }
            }

            return Task.CompletedTask;
        }, (http.Response, serve));
        return next(http);
    });
}
