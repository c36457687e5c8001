using Capacity.Application.Common.Options;
using Capacity.Application.Coupons;
using Capacity.Infrastructure.Coupons.ValidationLogs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.Infrastructure.Coupons;

/// <summary>Coupons: definitions (cached), redemptions and reversals, the validation log and its statistics.</summary>
internal static class CouponsSetup
{
    public static IServiceCollection AddCoupons(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ICouponStore, CouponStore>();
        services.AddSingleton<ICouponDefinitions, FusionCouponDefinitions>();
        services.AddSingleton<PostgresCouponLedger>();
        services.AddSectionOptions<RedemptionOptions>(configuration);
        services.AddSingleton<ICouponLedger, CoalescingCouponLedger>();
        services.AddSingleton<ICouponStatistics, CouponStatistics>();

        // The validation log: one writer per instance, which is both the IValidationLog slices record to and the
        // hosted service that stores the rows.
        services.AddSectionOptions<ValidationLogOptions>(configuration);
        services.AddSingleton<ValidationLogStore>();
        if (configuration.GetSection(ValidationLogOptions.SectionName).GetValue(nameof(ValidationLogOptions.Enabled), defaultValue: true))
        {
            services.AddSingleton<ValidationLogWriter>();
            services.AddSingleton<IValidationLog>(sp => sp.GetRequiredService<ValidationLogWriter>());
            services.AddHostedService(sp => sp.GetRequiredService<ValidationLogWriter>());
        }
        else
        {
            services.AddSingleton<IValidationLog, DisabledValidationLog>();
        }

        services.AddHealthChecks().AddCheck<ValidationLogHealthCheck>("validation-log");
        return services;
    }
}
