using Capacity.Domain.Members;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Capacity.Infrastructure.Persistence.Configurations;

internal sealed class MemberConfiguration : IEntityTypeConfiguration<Member>
{
    /// <summary>The database sequence membership numbers are made from (one per member, never reused; declared in the context).</summary>
    public const string MembershipSequence = "membership_number_seq";

    public void Configure(EntityTypeBuilder<Member> builder)
    {
        builder.ToTable("members", table =>
        {
            table.HasCheckConstraint("ck_members_status", "status IN ('active', 'expired', 'suspended')");
            table.HasCheckConstraint("ck_members_expiry", "expires_at > joined_at");
        });

        builder.HasKey(m => m.Id);
        builder.Property(m => m.Id).HasColumnName("member_id").ValueGeneratedNever();
        builder.Property(m => m.IdNumber).HasMaxLength(MemberRules.IdNumberMaxLength);
        builder.Property(m => m.FirstName).HasColumnName("firstname").HasMaxLength(MemberRules.NameMaxLength);
        builder.Property(m => m.Surname).HasMaxLength(MemberRules.NameMaxLength);
        builder.Property(m => m.ProvinceCode).HasMaxLength(MemberRules.AreaCodeMaxLength);
        builder.Property(m => m.MunicipalityCode).HasMaxLength(MemberRules.AreaCodeMaxLength);
        builder.Property(m => m.WardCode).HasMaxLength(MemberRules.AreaCodeMaxLength);
        builder.Property(m => m.MembershipNumber).HasMaxLength(MembershipNumbers.Length);
        builder.Property(m => m.Status).HasMaxLength(10).HasConversion(
            s => s == MemberStatus.Active ? "active" : s == MemberStatus.Expired ? "expired" : "suspended",
            t => t == "active" ? MemberStatus.Active : t == "expired" ? MemberStatus.Expired : MemberStatus.Suspended);

        // Seed 002's idx_members_id_number_optimized (its most frequent query), unique here: one member per id number.
        builder.HasIndex(m => m.IdNumber).IsUnique().HasDatabaseName("idx_members_id_number");
        builder.HasIndex(m => m.MembershipNumber).IsUnique().HasDatabaseName("idx_members_membership_number");
    }
}
