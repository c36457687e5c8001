using Capacity.Domain.AccessCodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Capacity.Infrastructure.Persistence.Configurations;

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> builder)
    {
        builder.ToTable("sessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).ValueGeneratedNever();
        builder.Property(s => s.ClientRef).HasMaxLength(AccessCodeRules.ClientRefMaxLength);
        builder.Property(s => s.LastActivityAt).HasColumnName("last_activity");

        builder.HasOne<AccessCode>()
            .WithMany()
            .HasForeignKey(s => s.CodeId)
            .OnDelete(DeleteBehavior.Restrict);

        // Seed 000's "active sessions by code": counts and lists the open sessions of one code.
        builder.HasIndex(s => s.CodeId)
            .HasDatabaseName("idx_sessions_active_by_code")
            .HasFilter("ended_at IS NULL");

        // Seed 000's session cleanup index: finds open sessions idle since a given time (the cleanup's
        // WHERE ended_at IS NULL AND last_activity < $1) and carries the code each one frees.
        builder.HasIndex(s => s.LastActivityAt)
            .HasDatabaseName("idx_sessions_bulk_cleanup")
            .HasFilter("ended_at IS NULL")
            .IncludeProperties(s => s.CodeId);

        // One open session per (code, client reference): a client retrying a claim never holds two seats,
        // even if two of its retries race.
        builder.HasIndex(s => new { s.CodeId, s.ClientRef })
            .IsUnique()
            .HasDatabaseName("ux_sessions_open_client_ref")
            .HasFilter("ended_at IS NULL AND client_ref IS NOT NULL");
    }
}
