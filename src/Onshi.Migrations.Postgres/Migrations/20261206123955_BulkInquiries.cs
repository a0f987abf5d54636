using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Onshi.Migrations.Postgres.Migrations
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ReceptionNumber = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    InstitutionId = table.Column<long>(type: "bigint", nullable: false),
                    Environment = table.Column<int>(type: "integer", nullable: false),
                    AccountId = table.Column<long>(type: "bigint", nullable: false),
                    TerminalSerial = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Channel = table.Column<int>(type: "integer", nullable: false),
                    JobId = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<int>(type: "integer", nullable: false),
                    ConfirmationDate = table.Column<DateOnly>(type: "date", nullable: false),
                    ArbitraryFileIdentifier = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    FileName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Total = table.Column<int>(type: "integer", nullable: false),
                    Processed = table.Column<int>(type: "integer", nullable: false),
                    NormalCount = table.Column<int>(type: "integer", nullable: false),
                    ErrorCount = table.Column<int>(type: "integer", nullable: false),
                    RequestJson = table.Column<string>(type: "text", nullable: true),
                    SubmittedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    CompletedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ExpiresAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    PurgedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    BulkInquiryId = table.Column<long>(type: "bigint", nullable: false),
                    Position = table.Column<int>(type: "integer", nullable: false),
                    QualificationResultId = table.Column<long>(type: "bigint", nullable: true),
                    ErrorCode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    ErrorMessage = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    SearchJson = table.Column<string>(type: "text", nullable: true)
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
