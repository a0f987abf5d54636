using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Onshi.Migrations.Sqlite.Migrations
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
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReissueCount",
                table: "CertificateApplications",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "SecretReissues",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RequestId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    InstitutionId = table.Column<long>(type: "INTEGER", nullable: false),
                    OperatorAccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    Environments = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ProtectedNotice = table.Column<byte[]>(type: "BLOB", nullable: true),
                    NoticeExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false)
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
