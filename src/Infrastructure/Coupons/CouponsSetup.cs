using Capacity.Application.Coupons;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.Infrastructure.Coupons;

/// <summary>Coupons: definitions (cached), redemptions and reversals.</summary>
internal static class CouponsSetup
{
    public static IServiceCollection AddCoupons(this IServiceCollection services)
    {
        services.AddSingleton<ICouponStore, CouponStore>();
        services.AddSingleton<ICouponDefinitions, FusionCouponDefinitions>();
        services.AddSingleton<ICouponLedger, PostgresCouponLedger>();
        return services;
    }
}
