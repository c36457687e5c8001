using Capacity.Domain.AccessCodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Capacity.Infrastructure.Persistence.Configurations;

internal sealed class AccessCodeConfiguration : IEntityTypeConfiguration<AccessCode>
{
    public void Configure(EntityTypeBuilder<AccessCode> builder)
    {
        builder.ToTable("access_codes", table =>
        {
            // The last line of defence against overselling: no statement can leave a code over capacity.
            table.HasCheckConstraint(
                "ck_access_codes_usage_within_capacity", "usage_count >= 0 AND usage_count <= max_usage_count");
            table.HasCheckConstraint(
                "ck_access_codes_max_usage_count", $"max_usage_count BETWEEN 1 AND {AccessCodeRules.MaxBulkUsageCount}");
            table.HasCheckConstraint("ck_access_codes_type", "type IN ('bulk', 'single')");
        });

        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Code).HasMaxLength(AccessCodeRules.CodeMaxLength);
        builder.Property(c => c.Type)
            .HasMaxLength(16)
            .HasConversion(
                type => type == AccessCodeType.Single ? "single" : "bulk",
                text => text == "single" ? AccessCodeType.Single : AccessCodeType.Bulk);
        builder.Property(c => c.IsActive).HasDefaultValue(true);

        // Seed 000's capacity-check index. It is also what keeps codes unique and what the claim's
        // "WHERE code = $1 FOR UPDATE" finds the row by. usage_count is deliberately NOT included:
        // an indexed usage_count would make every claim a non-HOT update that writes every index.
        builder.HasIndex(c => c.Code)
            .IsUnique()
            .HasDatabaseName("idx_access_codes_bulk_capacity_check")
            .IncludeProperties(c => new { c.Type, c.IsActive, c.ExpiresAt, c.MaxUsageCount });
    }
}
