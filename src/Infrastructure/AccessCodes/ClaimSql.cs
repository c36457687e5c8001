using System.Reflection;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// The claim statements, each read whole from its <c>.sql</c> file beside this one (embedded in the assembly):
/// the SQL that decides every grant is where a reader finds it in one piece, with its comments.
/// </summary>
internal static class ClaimSql
{
    /// <summary>One code, some claims with client references. Outcome row per claim (see the file).</summary>
    public static readonly string GrantWithReferences = Load("GrantWithReferences.sql");

    /// <summary>One code, no client references. One outcome row.</summary>
    public static readonly string GrantAnonymous = Load("GrantAnonymous.sql");

    /// <summary>Several codes, no client references, one transaction. One outcome row per code.</summary>
    public static readonly string GrantGroup = Load("GrantGroup.sql");

    private static string Load(string file)
    {
        var name = $"{typeof(ClaimSql).Namespace}.Sql.{file}";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded statement {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
