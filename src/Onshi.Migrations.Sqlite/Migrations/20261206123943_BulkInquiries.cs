using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Onshi.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class BulkInquiries : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BulkInquiries",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ReceptionNumber = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    InstitutionId = table.Column<long>(type: "INTEGER", nullable: false),
                    Environment = table.Column<int>(type: "INTEGER", nullable: false),
                    AccountId = table.Column<long>(type: "INTEGER", nullable: false),
                    TerminalSerial = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Channel = table.Column<int>(type: "INTEGER", nullable: false),
                    JobId = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<int>(type: "INTEGER", nullable: false),
                    ConfirmationDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ArbitraryFileIdentifier = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Processed = table.Column<int>(type: "INTEGER", nullable: false),
                    NormalCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ErrorCount = table.Column<int>(type: "INTEGER", nullable: false),
                    RequestJson = table.Column<string>(type: "TEXT", nullable: true),
                    SubmittedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    PurgedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BulkInquiries", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BulkInquiries_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_BulkInquiries_Institutions_InstitutionId",
                        column: x => x.InstitutionId,
                        principalTable: "Institutions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "BulkInquiryItems",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    BulkInquiryId = table.Column<long>(type: "INTEGER", nullable: false),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    QualificationResultId = table.Column<long>(type: "INTEGER", nullable: true),
                    ErrorCode = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    ErrorMessage = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    SearchJson = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BulkInquiryItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_BulkInquiryItems_BulkInquiries_BulkInquiryId",
                        column: x => x.BulkInquiryId,
                        principalTable: "BulkInquiries",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_BulkInquiryItems_QualificationResults_QualificationResultId",
                        column: x => x.QualificationResultId,
                        principalTable: "QualificationResults",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_BulkInquiries_AccountId",
                table: "BulkInquiries",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_BulkInquiries_InstitutionId_Environment_SubmittedAt",
                table: "BulkInquiries",
                columns: new[] { "InstitutionId", "Environment", "SubmittedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_BulkInquiries_ReceptionNumber",
                table: "BulkInquiries",
                column: "ReceptionNumber",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BulkInquiryItems_BulkInquiryId_Position",
                table: "BulkInquiryItems",
                columns: new[] { "BulkInquiryId", "Position" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_BulkInquiryItems_QualificationResultId",
                table: "BulkInquiryItems",
                column: "QualificationResultId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BulkInquiryItems");

            migrationBuilder.DropTable(
                name: "BulkInquiries");
        }
    }
}
