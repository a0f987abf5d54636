using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Onshi.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class QualificationData : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "InsuredQualifications",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    PersonId = table.Column<long>(type: "bigint", nullable: false),
                    InsurerNumber = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Symbol = table.Column<string>(type: "character varying(38)", maxLength: 38, nullable: false),
                    Number = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Branch = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Birthdate = table.Column<DateOnly>(type: "date", nullable: false),
                    CardClassification = table.Column<int>(type: "integer", nullable: false),
                    PersonalFamily = table.Column<int>(type: "integer", nullable: false),
                    InsuredName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    NameOfOther = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    NameKana = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    NameOfOtherKana = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Sex = table.Column<int>(type: "integer", nullable: false),
                    PostNumber = table.Column<string>(type: "character varying(7)", maxLength: 7, nullable: true),
                    Address = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    QualificationDate = table.Column<DateOnly>(type: "date", nullable: false),
                    DisqualificationDate = table.Column<DateOnly>(type: "date", nullable: true),
                    ReasonOfLoss = table.Column<int>(type: "integer", nullable: true),
                    CardIssuanceDate = table.Column<DateOnly>(type: "date", nullable: true),
                    CardValidDate = table.Column<DateOnly>(type: "date", nullable: true),
                    CardExpirationDate = table.Column<DateOnly>(type: "date", nullable: true),
                    ContributionPercent = table.Column<int>(type: "integer", nullable: false),
                    ElderlyCertificateDate = table.Column<DateOnly>(type: "date", nullable: true),
                    ElderlyValidStartDate = table.Column<DateOnly>(type: "date", nullable: true),
                    ElderlyValidEndDate = table.Column<DateOnly>(type: "date", nullable: true),
                    ElderlyContributionPercent = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InsuredQualifications", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Insurers",
                columns: table => new
                {
                    Number = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Scheme = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Insurers", x => x.Number);
                });

            migrationBuilder.CreateTable(
                name: "QualificationResults",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    InstitutionId = table.Column<long>(type: "bigint", nullable: false),
                    Environment = table.Column<int>(type: "integer", nullable: false),
                    AccountId = table.Column<long>(type: "bigint", nullable: false),
                    TerminalSerial = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Channel = table.Column<int>(type: "integer", nullable: false),
                    ExecutedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ConfirmationDate = table.Column<DateOnly>(type: "date", nullable: false),
                    InsurerNumber = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Symbol = table.Column<string>(type: "character varying(38)", maxLength: 38, nullable: false),
                    Number = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Branch = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    Birthdate = table.Column<DateOnly>(type: "date", nullable: false),
                    LimitConsent = table.Column<bool>(type: "boolean", nullable: false),
                    Validity = table.Column<int>(type: "integer", nullable: false),
                    QualificationId = table.Column<long>(type: "bigint", nullable: true),
                    Explanation = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    ReferenceNumber = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    AnswerJson = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QualificationResults", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QualificationResults_Accounts_AccountId",
                        column: x => x.AccountId,
                        principalTable: "Accounts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_QualificationResults_Institutions_InstitutionId",
                        column: x => x.InstitutionId,
                        principalTable: "Institutions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "LimitCertificates",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    QualificationId = table.Column<long>(type: "bigint", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: false),
                    ClassificationFlag = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    IssuanceDate = table.Column<DateOnly>(type: "date", nullable: false),
                    ValidStartDate = table.Column<DateOnly>(type: "date", nullable: false),
                    ValidEndDate = table.Column<DateOnly>(type: "date", nullable: true),
                    LongTermDate = table.Column<DateOnly>(type: "date", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LimitCertificates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_LimitCertificates_InsuredQualifications_QualificationId",
                        column: x => x.QualificationId,
                        principalTable: "InsuredQualifications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "SpecificDiseaseCertificates",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    QualificationId = table.Column<long>(type: "bigint", nullable: false),
                    Category = table.Column<int>(type: "integer", nullable: false),
                    IssuanceDate = table.Column<DateOnly>(type: "date", nullable: false),
                    ValidStartDate = table.Column<DateOnly>(type: "date", nullable: false),
                    ValidEndDate = table.Column<DateOnly>(type: "date", nullable: true),
                    SelfPay = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SpecificDiseaseCertificates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_SpecificDiseaseCertificates_InsuredQualifications_Qualifica~",
                        column: x => x.QualificationId,
                        principalTable: "InsuredQualifications",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InsuredQualifications_InsurerNumber_Number_Symbol_Birthdate~",
                table: "InsuredQualifications",
                columns: new[] { "InsurerNumber", "Number", "Symbol", "Birthdate", "Branch" });

            migrationBuilder.CreateIndex(
                name: "IX_InsuredQualifications_PersonId",
                table: "InsuredQualifications",
                column: "PersonId");

            migrationBuilder.CreateIndex(
                name: "IX_LimitCertificates_QualificationId",
                table: "LimitCertificates",
                column: "QualificationId");

            migrationBuilder.CreateIndex(
                name: "IX_QualificationResults_AccountId",
                table: "QualificationResults",
                column: "AccountId");

            migrationBuilder.CreateIndex(
                name: "IX_QualificationResults_InstitutionId_Environment_ExecutedAt",
                table: "QualificationResults",
                columns: new[] { "InstitutionId", "Environment", "ExecutedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_QualificationResults_ReferenceNumber",
                table: "QualificationResults",
                column: "ReferenceNumber",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SpecificDiseaseCertificates_QualificationId",
                table: "SpecificDiseaseCertificates",
                column: "QualificationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Insurers");

            migrationBuilder.DropTable(
                name: "LimitCertificates");

            migrationBuilder.DropTable(
                name: "QualificationResults");

            migrationBuilder.DropTable(
                name: "SpecificDiseaseCertificates");

            migrationBuilder.DropTable(
                name: "InsuredQualifications");
        }
    }
}
