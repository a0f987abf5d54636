using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Onshi.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class HashSessionKeysAndOperatorPasswordHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameColumn(
                name: "Key",
                table: "SiteSessions",
                newName: "KeyHash");

            migrationBuilder.RenameIndex(
                name: "IX_SiteSessions_Key",
                table: "SiteSessions",
                newName: "IX_SiteSessions_KeyHash");

            // The column held session keys in plain: none may stay. SQL cannot hash on both providers, so every row gets
            // a placeholder no key hashes to (unique, not 64 hex digits). A session open at the upgrade is refused from
            // now on (its user logs in again); the sweeper ends it at its idle limit with its audit row.
            migrationBuilder.Sql("UPDATE \"SiteSessions\" SET \"KeyHash\" = 'pre-hash-' || \"Id\"");

            migrationBuilder.RenameColumn(
                name: "Key",
                table: "LoginSessions",
                newName: "KeyHash");

            migrationBuilder.RenameIndex(
                name: "IX_LoginSessions_Key",
                table: "LoginSessions",
                newName: "IX_LoginSessions_KeyHash");

            // The column held session keys in plain: none may stay. SQL cannot hash on both providers, so every row gets
            // a placeholder no key hashes to (unique, not 64 hex digits). A session open at the upgrade is refused from
            // now on (its user logs in again); the sweeper ends it at its idle limit with its audit row.
            migrationBuilder.Sql("UPDATE \"LoginSessions\" SET \"KeyHash\" = 'pre-hash-' || \"Id\"");

            migrationBuilder.CreateTable(
                name: "OperatorPasswordHistory",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OperatorAccountId = table.Column<long>(type: "bigint", nullable: false),
                    PasswordHash = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OperatorPasswordHistory", x => x.Id);
                    table.ForeignKey(
                        name: "FK_OperatorPasswordHistory_OperatorAccounts_OperatorAccountId",
                        column: x => x.OperatorAccountId,
                        principalTable: "OperatorAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OperatorPasswordHistory_OperatorAccountId_CreatedAt",
                table: "OperatorPasswordHistory",
                columns: new[] { "OperatorAccountId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OperatorPasswordHistory");

            migrationBuilder.RenameColumn(
                name: "KeyHash",
                table: "SiteSessions",
                newName: "Key");

            migrationBuilder.RenameIndex(
                name: "IX_SiteSessions_KeyHash",
                table: "SiteSessions",
                newName: "IX_SiteSessions_Key");

            migrationBuilder.RenameColumn(
                name: "KeyHash",
                table: "LoginSessions",
                newName: "Key");

            migrationBuilder.RenameIndex(
                name: "IX_LoginSessions_KeyHash",
                table: "LoginSessions",
                newName: "IX_LoginSessions_Key");
        }
    }
}
