using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Capacity.IntegrationTests.Fixtures;

/// <summary>
/// The API on a real Kestrel socket (127.0.0.1, a port the OS picks) in the Production environment.
/// TestServer enforces no Kestrel limits and test hosts run as Development, which hides bare 400s:
/// request limits and Production error bodies are tested through this host.
/// </summary>
public sealed class ProductionKestrelApiFactory : CapacityApiFactory
{
    public ProductionKestrelApiFactory() =>
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}
