using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Capacity.Infrastructure.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OrderLookupLedByOrder : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "idx_coupon_usage_order_lookup",
                table: "coupon_usage");

            migrationBuilder.CreateIndex(
                name: "idx_coupon_usage_order_lookup",
                table: "coupon_usage",
                columns: new[] { "order_id", "coupon_id" },
                unique: true,
                filter: "reversed_at IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "idx_coupon_usage_order_lookup",
                table: "coupon_usage");

            migrationBuilder.CreateIndex(
                name: "idx_coupon_usage_order_lookup",
                table: "coupon_usage",
                columns: new[] { "coupon_id", "order_id" },
                unique: true,
                filter: "reversed_at IS NULL");
        }
    }
}
