namespace Capacity.Domain.Clients;

/// <summary>Every limit of clients and keys, named once.</summary>
public static class ClientRules
{
    public const int NameMaxLength = 100;

    /// <summary>Keys that work at once, per client: enough to rotate, few enough to audit.</summary>
    public const int MaxActiveKeys = 10;
}
