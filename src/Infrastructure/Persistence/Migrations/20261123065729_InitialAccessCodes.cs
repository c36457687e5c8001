using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Capacity.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class InitialAccessCodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "access_codes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    code = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    type = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false, defaultValue: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    usage_count = table.Column<int>(type: "integer", nullable: false),
                    max_usage_count = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_access_codes", x => x.id);
                    table.CheckConstraint("ck_access_codes_max_usage_count", "max_usage_count BETWEEN 1 AND 1000000");
                    table.CheckConstraint("ck_access_codes_type", "type IN ('bulk', 'single')");
                    table.CheckConstraint("ck_access_codes_usage_within_capacity", "usage_count >= 0 AND usage_count <= max_usage_count");
                });

            migrationBuilder.CreateTable(
                name: "sessions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    code_id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_ref = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_activity = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sessions", x => x.id);
                    table.ForeignKey(
                        name: "fk_sessions_access_codes_code_id",
                        column: x => x.code_id,
                        principalTable: "access_codes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "idx_access_codes_bulk_capacity_check",
                table: "access_codes",
                column: "code",
                unique: true)
                .Annotation("Npgsql:IndexInclude", new[] { "type", "is_active", "expires_at", "max_usage_count" });

            migrationBuilder.CreateIndex(
                name: "idx_sessions_active_by_code",
                table: "sessions",
                column: "code_id",
                filter: "ended_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ux_sessions_open_client_ref",
                table: "sessions",
                columns: new[] { "code_id", "client_ref" },
                unique: true,
                filter: "ended_at IS NULL AND client_ref IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sessions");

            migrationBuilder.DropTable(
                name: "access_codes");
        }
    }
}
