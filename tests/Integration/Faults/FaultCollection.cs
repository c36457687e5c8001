namespace Capacity.IntegrationTests.Faults;

/// <summary>
/// Every fault test: they stop and start the services of the one fault instance, so they run one after the
/// other, never beside each other. Other collections use the default instance and are never disturbed.
/// </summary>
[CollectionDefinition(Name)]
public sealed class FaultCollection : ICollectionFixture<FaultFixture>
{
    public const string Name = "Faults";
}
