using System.Net;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Capacity.Infrastructure.Persistence.Configurations;

/// <summary>
/// Seed 003's validation_logs: append-only, written by binary COPY (ValidationLogStore). No foreign key to coupons: a
/// log row outlives any change to its coupon, and COPY stays a plain append.
/// </summary>
internal sealed class ValidationLogConfiguration : IEntityTypeConfiguration<ValidationLogEntry>
{
    public void Configure(EntityTypeBuilder<ValidationLogEntry> builder)
    {
        builder.ToTable("validation_logs");
        builder.HasKey(v => v.Id);
        builder.Property(v => v.Id).ValueGeneratedNever();
        builder.Property(v => v.CouponCode).HasMaxLength(AccessCodeRules.CodeMaxLength);
        builder.Property(v => v.UserId).HasMaxLength(ExternalIds.MaxLength);
        builder.Property(v => v.OrderId).HasMaxLength(ExternalIds.MaxLength);
        builder.Property(v => v.OrderValue).HasPrecision(12, 2);
        builder.Property(v => v.Reason).HasColumnName("validation_reason").HasMaxLength(32);
        builder.Property(v => v.DiscountApplied).HasPrecision(12, 2);
        builder.Property(v => v.FinalAmount).HasPrecision(12, 2);
        builder.Property(v => v.IpAddress).HasColumnType("inet").HasConversion(
            text => text == null ? null : IPAddress.Parse(text),
            ip => ip == null ? null : ip.ToString());
        builder.Property(v => v.UserAgent).HasMaxLength(ValidationLogEntry.UserAgentMaxLength);

        // Recent validations, newest first, keyset-paginated (the shared KeysetPage): LIMIT n + 1 over this index.
        builder.HasIndex(v => new { v.ValidatedAt, v.Id })
            .IsDescending(true, true)
            .HasDatabaseName("idx_validation_logs_validated_at");

        // Seed 003's index on code: a coupon's statistics.
        builder.HasIndex(v => v.CouponCode).HasDatabaseName("idx_validation_logs_code");
    }
}
