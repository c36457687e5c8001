using Capacity.Domain.Clients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Capacity.Infrastructure.Persistence.Configurations;

internal sealed class ClientConfiguration : IEntityTypeConfiguration<Client>
{
    public void Configure(EntityTypeBuilder<Client> builder)
    {
        builder.ToTable("clients", table =>
            table.HasCheckConstraint("ck_clients_scopes", "cardinality(scopes) >= 1"));
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).ValueGeneratedNever();
        builder.Property(c => c.Name).HasMaxLength(ClientRules.NameMaxLength);
        builder.Property(c => c.Scopes).HasColumnType("text[]");

        builder.HasMany(c => c.Keys)
            .WithOne()
            .HasForeignKey(k => k.ClientId)
            .OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ClientKeyConfiguration : IEntityTypeConfiguration<ClientKey>
{
    public void Configure(EntityTypeBuilder<ClientKey> builder)
    {
        builder.ToTable("client_keys", table =>
            table.HasCheckConstraint("ck_client_keys_hash_length", "octet_length(key_hash) = 32"));
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).ValueGeneratedNever();
        builder.Property(k => k.Prefix).HasMaxLength(ApiKeys.PrefixLength);
        builder.Property(k => k.Hash).HasColumnName("key_hash");

        // Every key check finds its row by the visible prefix (on a cache miss); unique, so a prefix names one key.
        builder.HasIndex(k => k.Prefix).IsUnique().HasDatabaseName("ux_client_keys_prefix");

        // A client's keys, for its page and the working-key count.
        builder.HasIndex(k => k.ClientId).HasDatabaseName("idx_client_keys_client");
    }
}
