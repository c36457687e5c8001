using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Faults;

/// <summary>
/// A stopped service of the fault instance. <see cref="EndAsync"/> starts it again; disposing does so too if
/// the test did not get that far, so a failed test never leaves the service down for the next one.
/// </summary>
public sealed class ServiceOutage : IAsyncDisposable
{
    private readonly string _service;
    private bool _ended;

    private ServiceOutage(string service) => _service = service;

    public static async Task<ServiceOutage> BeginAsync(FaultService service)
    {
        var name = service.ToString().ToLowerInvariant();
        await ServicesScript.RunAsync("stop", name, "--instance", FaultFixture.Instance);
        return new ServiceOutage(name);
    }

    /// <summary>Starts the service again (with its data); returns once the script says it accepts connections.</summary>
    public async Task EndAsync()
    {
        if (!_ended)
        {
            await ServicesScript.RunAsync("start", _service, "--instance", FaultFixture.Instance);
            _ended = true;
        }
    }

    public async ValueTask DisposeAsync() => await EndAsync();
}
