using System.Collections.Concurrent;
using Capacity.Application.Common.Security;
using Capacity.Domain.Clients;
using Capacity.IntegrationTests.Fixtures;
using Capacity.WebApi.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Capacity.IntegrationTests.Clients;

/// <summary>
/// The API with probe routes behind the real key and scope checks, for scopes whose features have no routes yet:
/// <c>GET /probe/{scope}</c> needs the scope (<c>RequireScope</c>), <c>GET /probe/{scope}/open</c> takes anonymous
/// callers too (<c>RequireScopeOrAnonymous</c>); both answer the caller as <see cref="ICallerContext"/> sees it.
/// <c>GET /probe/personal/{idNumber}</c> fails with an exception, to see what the log says about its path. Every
/// log line of the host is kept in <see cref="Logs"/>.
/// </summary>
public class ScopeProbeApiFactory : CapacityApiFactory
{
    public ConcurrentQueue<string> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<IStartupFilter>(new ProbeRoutes());
            services.AddSingleton<ILoggerProvider>(new CollectingLoggerProvider(Logs));
        });
    }

    /// <summary>Mapped after the API's own pipeline: requests no API route matched arrive here, inside its exception handler.</summary>
    private sealed class ProbeRoutes : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.UseRouting();
            app.UseApiKeys();
            app.UseEndpoints(endpoints =>
            {
                foreach (var scope in ClientScopes.All)
                {
                    endpoints.MapGet($"/probe/{scope}", Caller).RequireScope(scope);
                    endpoints.MapGet($"/probe/{scope}/open", Caller).RequireScopeOrAnonymous(scope);
                }

                endpoints.MapGet("/probe/personal/{idNumber}", string (string idNumber) =>
                    throw new InvalidOperationException("The probe fails on purpose.")).RequireScope(ClientScopes.MembersRead);
            });
        };

        private static IResult Caller(ICallerContext caller) =>
            Results.Json(new { clientId = caller.Current?.ClientId, name = caller.Current?.Name, scopes = caller.Current?.Scopes });
    }

    private sealed class CollectingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Collector(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Collector(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
