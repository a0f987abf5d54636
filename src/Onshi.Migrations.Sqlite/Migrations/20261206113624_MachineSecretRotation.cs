using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Onshi.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class MachineSecretRotation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PreviousPasswordHash",
                table: "Accounts",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PreviousPasswordValidUntil",
                table: "Accounts",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "PreviousPasswordHash",
                table: "Accounts");

            migrationBuilder.DropColumn(
                name: "PreviousPasswordValidUntil",
                table: "Accounts");
        }
    }
}
