using Capacity.Application.AccessCodes;
using Mediator;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// Ends idle sessions every <see cref="CleanupOptions.Interval"/> through the same use case as the admin
/// endpoint (so it is timed, breaker-guarded and invalidates the cache). Several instances may run it at once:
/// the statement frees each seat once.
/// </summary>
internal sealed partial class IdleSessionCleanupService(
    ISender sender,
    IOptions<CleanupOptions> options,
    TimeProvider clock,
    ILogger<IdleSessionCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(settings.Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var result = await sender.Send(new CleanupIdleSessions.Command(settings.IdleMinutes), stoppingToken);
                if (result.SessionsEnded > 0)
                {
                    LogCleaned(logger, result.SessionsEnded, result.SeatsReleased, result.ByCode.Count);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database may be down (the breaker answers fast then); the next tick tries again.
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Idle cleanup ended {Sessions} sessions and freed {Seats} seats of {Codes} codes.")]
    private static partial void LogCleaned(ILogger logger, int sessions, int seats, int codes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Idle cleanup failed; it runs again at the next interval.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
