using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Capacity.IntegrationTests.Fixtures;

/// <summary>
/// Runs the repository's <c>build/services</c> script (start, stop, env of the local PostgreSQL and Redis
/// instances), so fixtures manage services with the same helper developers and CI use.
/// </summary>
public static partial class ServicesScript
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>The folder holding <c>Capacity.sln</c>, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Runs <c>build/services</c> with the arguments; returns its stdout, throws with its stderr on failure.</summary>
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot, "build", "services"))
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // These override any instance's ports: an exported value must not move the fault instance elsewhere.
        start.Environment.Remove("CAPACITY_PG_PORT");
        start.Environment.Remove("CAPACITY_REDIS_PORT");

        var command = "build/services " + string.Join(' ', arguments);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command}: could not start the process.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} did not finish within {Timeout}.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} exited with {process.ExitCode}:\n{await stderr}");
        }

        return await stdout;
    }

    /// <summary>The connection strings <c>build/services env --instance NAME</c> exports.</summary>
    public static async Task<(string Postgres, string Redis)> ConnectionStringsAsync(string instance)
    {
        var output = await RunAsync("env", "--instance", instance);
        var exported = ExportLine().Matches(output).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
        return exported.TryGetValue("ConnectionStrings__Postgres", out var postgres)
            && exported.TryGetValue("ConnectionStrings__Redis", out var redis)
                ? (postgres, redis)
                : throw new InvalidOperationException($"build/services env --instance {instance} printed no connection strings:\n{output}");
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Capacity.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Capacity.sln.");
    }

    [GeneratedRegex("^export (?<name>[A-Za-z_][A-Za-z0-9_]*)='(?<value>[^']*)'$", RegexOptions.Multiline)]
    private static partial Regex ExportLine();
}
