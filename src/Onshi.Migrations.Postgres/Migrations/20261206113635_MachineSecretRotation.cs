using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Onshi.Migrations.Postgres.Migrations
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
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PreviousPasswordValidUntil",
                table: "Accounts",
                type: "timestamp with time zone",
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
