using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Capacity.Infrastructure.Persistence.Configurations;

internal sealed class CouponConfiguration : IEntityTypeConfiguration<Coupon>
{
    public void Configure(EntityTypeBuilder<Coupon> builder)
    {
        builder.ToTable("coupons", table =>
        {
            // The last line of defence against overselling: no statement can leave a coupon over its limit.
            table.HasCheckConstraint(
                "ck_coupons_usage_within_limit", "usage_count >= 0 AND (usage_limit IS NULL OR usage_count <= usage_limit)");
            table.HasCheckConstraint("ck_coupons_kind", "kind IN ('user', 'time')");
            table.HasCheckConstraint("ck_coupons_status", "status IN ('active', 'inactive', 'expired')");
            table.HasCheckConstraint("ck_coupons_discount_type", "discount_type IN ('percent', 'fixed')");
            table.HasCheckConstraint("ck_coupons_user", "kind <> 'user' OR user_id IS NOT NULL");
            table.HasCheckConstraint("ck_coupons_dates", "kind <> 'time' OR (valid_from IS NOT NULL AND valid_to IS NOT NULL)");
        });

        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Code).HasMaxLength(AccessCodeRules.CodeMaxLength);
        builder.Property(c => c.Kind).HasMaxLength(8).HasConversion(
            k => k == CouponKind.User ? "user" : "time",
            t => t == "user" ? CouponKind.User : CouponKind.Time);
        builder.Property(c => c.Status).HasMaxLength(8).HasConversion(
            s => s == CouponStatus.Active ? "active" : s == CouponStatus.Inactive ? "inactive" : "expired",
            t => t == "active" ? CouponStatus.Active : t == "inactive" ? CouponStatus.Inactive : CouponStatus.Expired);
        builder.Property(c => c.DiscountType).HasMaxLength(8).HasConversion(
            d => d == DiscountType.Percent ? "percent" : "fixed",
            t => t == "percent" ? DiscountType.Percent : DiscountType.Fixed);
        builder.Property(c => c.UserId).HasMaxLength(ExternalIds.MaxLength);
        builder.Property(c => c.DiscountValue).HasPrecision(12, 2);
        builder.Property(c => c.MinOrderValue).HasPrecision(12, 2);
        builder.Property(c => c.MaxDiscount).HasPrecision(12, 2);

        // Every lookup of a coupon is by its code (validation's definition read on a cache miss, redemption's lock).
        builder.HasIndex(c => c.Code).IsUnique().HasDatabaseName("idx_coupons_code");
    }
}

internal sealed class RedemptionConfiguration : IEntityTypeConfiguration<Redemption>
{
    public void Configure(EntityTypeBuilder<Redemption> builder)
    {
        // The seed's name for the table of coupon uses.
        builder.ToTable("coupon_usage");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.Id).ValueGeneratedNever();
        builder.Property(r => r.UserId).HasMaxLength(ExternalIds.MaxLength);
        builder.Property(r => r.OrderId).HasMaxLength(ExternalIds.MaxLength);
        builder.Property(r => r.OrderValue).HasPrecision(12, 2);
        builder.Property(r => r.DiscountApplied).HasPrecision(12, 2);
        builder.Property(r => r.FinalAmount).HasPrecision(12, 2);

        builder.HasOne<Coupon>()
            .WithMany()
            .HasForeignKey(r => r.CouponId)
            .OnDelete(DeleteBehavior.Restrict);

        // Seed 003's idx_coupon_usage_coupon_user: a user's standing redemptions of a coupon (the per-user limit).
        builder.HasIndex(r => new { r.CouponId, r.UserId })
            .HasDatabaseName("idx_coupon_usage_coupon_user")
            .HasFilter("reversed_at IS NULL");

        // Seed 003's idx_coupon_usage_order_lookup, unique: one standing redemption of a coupon per order, whatever the
        // races. A reversed redemption leaves it, so the order may redeem again. The order leads: led by the coupon, it
        // was a second way to read a coupon's rows, and a per-user probe of a hot coupon newer than the statistics
        // took it (coupon_id only, then filtering every row of the coupon by user: 100+ ms a batch, growing).
        builder.HasIndex(r => new { r.OrderId, r.CouponId })
            .IsUnique()
            .HasDatabaseName("idx_coupon_usage_order_lookup")
            .HasFilter("reversed_at IS NULL");
    }
}
