using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Onshi.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class PortalSubmissionNonces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "PortalSubmissions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Nonce = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: false),
                    ApplicationId = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PortalSubmissions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_PortalSubmissions_ExpiresAt",
                table: "PortalSubmissions",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_PortalSubmissions_Nonce",
                table: "PortalSubmissions",
                column: "Nonce",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PortalSubmissions");
        }
    }
}
