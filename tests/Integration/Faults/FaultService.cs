namespace Capacity.IntegrationTests.Faults;

/// <summary>A service of the fault instance that a test can stop.</summary>
public enum FaultService
{
    Postgres,
    Redis,
}
