using Capacity.Domain.AccessCodes;

namespace Capacity.Application.AccessCodes;

/// <summary>Access code metadata: create and read. Implemented over PostgreSQL in Infrastructure.</summary>
public interface IAccessCodeStore
{
    /// <summary>Adds the code; false (and nothing written) when a code with that text already exists.</summary>
    Task<bool> TryAddAsync(AccessCode code, CancellationToken cancellationToken);

    /// <summary>The code with that (normalized) text, or null.</summary>
    Task<AccessCode?> FindAsync(string code, CancellationToken cancellationToken);

    /// <summary>One page of every code in code order, and how many codes there are.</summary>
    Task<(IReadOnlyList<AccessCode> Codes, long Total)> ListAsync(long offset, int limit, CancellationToken cancellationToken);

    /// <summary>Usage of each existing code among <paramref name="codes"/>, in one query.</summary>
    Task<IReadOnlyList<UsageReport>> GetUsageAsync(IReadOnlyCollection<string> codes, CancellationToken cancellationToken);
}
