using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>The access-code feature's infrastructure: its store, the seat ledger and claim queue, idle cleanup.</summary>
internal static class AccessCodesSetup
{
    public static IServiceCollection AddAccessCodes(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<ClaimOptions>(configuration);
        services.AddSingleton<IClaimStatements, ClaimStatements>();
        services.AddSingleton<IClaimBatchWriter, GroupedClaimWriter>();
        services.AddSingleton<ClaimCoalescer>();
        services.AddSingleton<IAccessCodeStore, EfAccessCodeStore>();
        services.AddSingleton<IAccessCodeCache, FusionAccessCodeCache>();
        services.AddSingleton<ISeatLedger, PostgresSeatLedger>();

        services.AddSectionOptions<CleanupOptions>(configuration);
        services.AddHostedService<IdleSessionCleanupService>();
        return services;
    }
}
