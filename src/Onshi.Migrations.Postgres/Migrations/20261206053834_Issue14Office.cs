using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Onshi.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class Issue14Office : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "FileSavedAt",
                table: "CertificateApplications",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReissueCount",
                table: "CertificateApplications",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "SecretReissues",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RequestId = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    InstitutionId = table.Column<long>(type: "bigint", nullable: false),
                    OperatorAccountId = table.Column<long>(type: "bigint", nullable: false),
                    Environments = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FileName = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ProtectedNotice = table.Column<byte[]>(type: "bytea", nullable: true),
                    NoticeExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SecretReissues", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SecretReissues_Institutions_InstitutionId",
                        column: x => x.InstitutionId,
                        principalTable: "Institutions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_SecretReissues_OperatorAccounts_OperatorAccountId",
                        column: x => x.OperatorAccountId,
                        principalTable: "OperatorAccounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SecretReissues_InstitutionId_At",
                table: "SecretReissues",
                columns: new[] { "InstitutionId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_SecretReissues_OperatorAccountId",
                table: "SecretReissues",
                column: "OperatorAccountId");

            migrationBuilder.CreateIndex(
                name: "IX_SecretReissues_RequestId",
                table: "SecretReissues",
                column: "RequestId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SecretReissues");

            migrationBuilder.DropColumn(
                name: "FileSavedAt",
                table: "CertificateApplications");

            migrationBuilder.DropColumn(
                name: "ReissueCount",
                table: "CertificateApplications");
        }
    }
}
