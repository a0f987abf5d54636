using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Onshi.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class ScaleOutSharedState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Accounts_InstitutionId_Environment_Kind",
                table: "Accounts");

            migrationBuilder.CreateTable(
                name: "DataProtectionKeys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    FriendlyName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Xml = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DataProtectionKeys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ThrottleAttempts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    KeyHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    AttemptedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ThrottleAttempts", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_InstitutionId_Environment_Kind_NormalizedUserId",
                table: "Accounts",
                columns: new[] { "InstitutionId", "Environment", "Kind", "NormalizedUserId" });

            migrationBuilder.CreateIndex(
                name: "IX_DataProtectionKeys_FriendlyName",
                table: "DataProtectionKeys",
                column: "FriendlyName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ThrottleAttempts_AttemptedAt",
                table: "ThrottleAttempts",
                column: "AttemptedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ThrottleAttempts_KeyHash_AttemptedAt",
                table: "ThrottleAttempts",
                columns: new[] { "KeyHash", "AttemptedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DataProtectionKeys");

            migrationBuilder.DropTable(
                name: "ThrottleAttempts");

            migrationBuilder.DropIndex(
                name: "IX_Accounts_InstitutionId_Environment_Kind_NormalizedUserId",
                table: "Accounts");

            migrationBuilder.CreateIndex(
                name: "IX_Accounts_InstitutionId_Environment_Kind",
                table: "Accounts",
                columns: new[] { "InstitutionId", "Environment", "Kind" });
        }
    }
}
