using Capacity.Application.Common.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.Application.Performance;

/// <summary>The performance API's settings (its window, alert thresholds); the figures come from the pipeline's monitor.</summary>
public static class PerformanceSetup
{
    public static IServiceCollection AddPerformance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<PerformanceOptions>(configuration);
        return services;
    }
}
