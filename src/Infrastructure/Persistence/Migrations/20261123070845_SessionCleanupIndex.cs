using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Capacity.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SessionCleanupIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "idx_sessions_bulk_cleanup",
                table: "sessions",
                column: "last_activity",
                filter: "ended_at IS NULL")
                .Annotation("Npgsql:IndexInclude", new[] { "code_id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "idx_sessions_bulk_cleanup",
                table: "sessions");
        }
    }
}
