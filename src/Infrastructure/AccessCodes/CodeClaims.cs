namespace Capacity.Infrastructure.AccessCodes;

/// <summary>Claims of one code without client references, as one part of a grouped claim transaction.</summary>
/// <param name="Code">The code, normalized; every part of one group has a different code.</param>
/// <param name="Claims">How many claims want a seat (at least 1).</param>
internal readonly record struct CodeClaims(string Code, int Claims);
