using Capacity.Application.Common.Behaviors;
using Capacity.Application.Common.Caching;
using Capacity.Application.Common.Metrics;
using Capacity.Application.Common.Options;
using Capacity.Application.Common.Resilience;
using Capacity.Application.Performance;
using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Capacity.Application;

public static class DependencyInjection
{
    /// <summary>Registers the mediator with its one ordered pipeline, the validators and the database breaker.</summary>
    public static IServiceCollection AddApplication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMediator(options =>
        {
            // Singleton: handlers, behaviors and the stores behind them hold no per-request state (stores rent a
            // DbContext or a connection per call), so no request pays for building the pipeline.
            options.ServiceLifetime = ServiceLifetime.Singleton;

            // Outermost first. Validation before anything touches a dependency; the breaker inside the
            // cache, so a fresh hit never asks it and an open breaker lets fail-safe serve stale data.
            options.PipelineBehaviors =
            [
                typeof(TimingBehavior<,>),
                typeof(ValidationBehavior<,>),
                typeof(CachingBehavior<,>),
                typeof(CircuitBreakerBehavior<,>),
            ];
        });

        // Validators are internal to their slices: without includeInternalTypes nothing would validate.
        // Singletons (they are stateless), as the validation behavior that holds them is.
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, ServiceLifetime.Singleton, includeInternalTypes: true);

        services.AddSectionOptions<CircuitBreakerOptions>(configuration);
        services.AddSingleton<DatabaseCircuitBreaker>();
        services.AddSingleton<OperationMonitor>();
        services.AddSectionOptions<CachingOptions>(configuration);
        services.AddSingleton<TagInvalidator>();
        services.AddSingleton<CacheWriteThrough>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Common.Caching.CacheAreaStatistics>();

        // One line per feature that needs more than its slices (found by the mediator and the validator scan).
        services.AddPerformance(configuration);
        return services;
    }
}
