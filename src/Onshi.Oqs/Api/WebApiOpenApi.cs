using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Onshi.Core.Features.Qualifications;

namespace Onshi.Oqs.Api;

/// <summary>
/// The OpenAPI document of the Web API (<see cref="DocumentPath"/>; a copy is kept in docs/webapi.openapi.json): its four operations
/// with their messages' schemas, the error codes and an example of every request and answer.
/// </summary>
public static class WebApiOpenApi
{
    public const string DocumentName = "webapi";
    public const string DocumentPath = "/oqs-api-pro/openapi/webapi.json";

    public static IServiceCollection AddWebApiOpenApi(this IServiceCollection services) => services.AddOpenApi(DocumentName, o =>
    {
        o.ShouldInclude = d => d.RelativePath?.StartsWith("oqs-api-pro/", StringComparison.Ordinal) == true;
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Onshi Web API（オンライン資格確認等システム）",
                Version = "1",
                Description = "SPEC §12 の Web API。OQS と同じ相互TLS（医療機関等の端末用電子証明書）で接続し、連携アプリ用または Web API用のアカウントで"
                    + " auth を呼んで得た idToken を Authorization ヘッダーに付けて search・一括照会を呼びます。電文は §11.3 の XmlMsg（JSON）です。"
                    + " エラーは常に電文（SegmentOfResult 9、ErrorCode、ErrorMessage）で返り、HTMLになることはありません。エラーコードは docs/webapi.md を参照してください。",
            };
            document.Servers = [new OpenApiServer { Url = "https://localhost:8443", Description = "onshi demo の OQS（接続先のホストだけを変えて利用）" }];
            return Task.CompletedTask;
        });
        o.AddOperationTransformer((operation, context, _) =>
        {
            var name = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
            if (name is not null && Examples.TryGetValue(name, out var example))
            {
                if (operation.RequestBody?.Content?.TryGetValue("application/json", out var request) == true)
                {
                    request.Example = example.Request();
                }

                foreach (var (status, response) in operation.Responses ?? [])
                {
                    if (response.Content?.TryGetValue("application/json", out var media) == true)
                    {
                        media.Example = status == "200" ? example.Answer() : example.Error();
                    }
                }
            }

            return Task.CompletedTask;
        });
    });

    /// <summary>Declares each operation's messages for the document.</summary>
    public static RouteHandlerBuilder Describe<TRequest, TAnswer>(this RouteHandlerBuilder builder, string summary, string description, params int[] errors)
        where TRequest : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Accepts<TRequest>("application/json").Produces<TAnswer>(StatusCodes.Status200OK, "application/json")
            .WithSummary(summary).WithDescription(description).WithTags("Web API");
        foreach (var status in errors)
        {
            builder.Produces<TAnswer>(status, "application/json");
        }

        return builder;
    }

    private sealed record Example(Func<JsonNode?> Request, Func<JsonNode?> Answer, Func<JsonNode?> Error);

    private static JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, WireJson.Options);

    private static readonly QualificationConfirmSearchInfo Patient = new()
    {
        InsurerNumber = "06139993",
        InsuredCardSymbol = "1234",
        InsuredIdentificationNumber = "567890",
        InsuredBranchNumber = "00",
        Birthdate = "19800401",
        LimitApplicationCertificateRelatedConsFlg = "0",
        ArbitraryIdentifier = "KARTE-0001",
    };

    private static ResultHeader Header(string segment, string? error = null, string? message = null) => new()
    {
        ProcessExecutionTime = "20261206093015",
        QualificationConfirmationDate = "20261206",
        MedicalInstitutionCode = "1310000019",
        ArbitraryFileIdentifier = "RECEPT-20261206-0001",
        ReferenceClassification = "2",
        SegmentOfResult = segment,
        ErrorCode = error,
        ErrorMessage = message,
        CharacterCodeIdentifier = "0",
    };

    private static JsonNode? ErrorOf(OnshiErrorLike e) => Node(new XmlMsgEnvelope<QualificationResultMessage>
    {
        XmlMsg = new QualificationResultMessage { MessageHeader = Header("9", e.Code, e.Message), MessageBody = new ResultBody() },
    });

    private sealed record OnshiErrorLike(string Code, string Message);

    private static readonly Dictionary<string, Example> Examples = new(StringComparer.Ordinal)
    {
        ["auth"] = new(
            () => new JsonObject { ["userId"] = "SAMPLEAPI01", ["password"] = "（発行されたシークレット）" },
            () => new JsonObject
            {
                ["status"] = "0",
                ["msg"] = "",
                ["result"] = new JsonObject { ["accessToken"] = "q3Yc…（トークン）", ["idToken"] = "q3Yc…（トークン）", ["linkSysCharCd"] = "0", ["expiresIn"] = 3600 },
            },
            () => new JsonObject { ["status"] = "1", ["msg"] = WireErrors.CredentialsRejected.Message, ["errorCode"] = WireErrors.CredentialsRejected.Code }),
        ["search"] = new(
            () => Node(new XmlMsgEnvelope<QualificationRequestMessage>
            {
                XmlMsg = new QualificationRequestMessage
                {
                    MessageHeader = new RequestHeader { QualificationConfirmationDate = "20261206", MedicalInstitutionCode = "1310000019", ArbitraryFileIdentifier = "RECEPT-20261206-0001" },
                    MessageBody = new RequestBody { QualificationConfirmSearchInfo = Patient },
                },
            }),
            () => Node(new XmlMsgEnvelope<QualificationResultMessage>
            {
                XmlMsg = new QualificationResultMessage
                {
                    MessageHeader = Header("1"),
                    MessageBody = new ResultBody
                    {
                        ProcessingResultStatus = "1",
                        QualificationValidity = "1",
                        QualificationConfirmSearchInfo = Patient,
                        ResultList =
                        [
                            new ResultListItem
                            {
                                ResultOfQualificationConfirmation = new ResultOfQualificationConfirmation
                                {
                                    InsuredCardClassification = "01", InsurerNumber = "06139993", InsuredCardSymbol = "1234", InsuredIdentificationNumber = "567890",
                                    InsuredBranchNumber = "00", PersonalFamilyClassification = "1", Name = "山田　太郎", NameKana = "ヤマダ　タロウ", Sex1 = "1",
                                    Birthdate = "19800401", Address = "東京都千代田区霞が関1-2-2", PostNumber = "100-8916", QualificationDate = "20150401",
                                    InsuredCertificateIssuanceDate = "20150401", InsuredPartialContributionRatio = "030", InsurerName = "サンプル健康保険組合",
                                    ReferenceNumber = "4821093756120384", LimitApplicationCertificateRelatedConsFlg = "0", SpecificDiseasesCertificateRelatedConsFlg = "0",
                                },
                            },
                        ],
                    },
                },
            }),
            () => ErrorOf(new(WireErrors.InstitutionMismatch.Code, WireErrors.InstitutionMismatch.Message))),
        ["bulk"] = new(
            () => Node(new XmlMsgEnvelope<BulkRequestMessage>
            {
                XmlMsg = new BulkRequestMessage
                {
                    MessageHeader = new RequestHeader { QualificationConfirmationDate = "20261207", MedicalInstitutionCode = "1310000019", ArbitraryFileIdentifier = "YOYAKU-20261207" },
                    MessageBody = new BulkRequestBody { QualificationConfirmSearchInfo = [Patient] },
                },
            }),
            () => Node(new XmlMsgEnvelope<BulkResultMessage>
            {
                XmlMsg = new BulkResultMessage { MessageHeader = Header("2"), MessageBody = new BulkResultBody { ReceptionNumber = "7301948265013377" } },
            }),
            () => ErrorOf(new(WireErrors.BulkEmpty.Code, WireErrors.BulkEmpty.Message))),
        ["bulkResult"] = new(
            () => Node(new XmlMsgEnvelope<BulkResultRequestMessage>
            {
                XmlMsg = new BulkResultRequestMessage
                {
                    MessageHeader = new RequestHeader { MedicalInstitutionCode = "1310000019" },
                    MessageBody = new BulkResultRequestBody { ReceptionNumber = "7301948265013377" },
                },
            }),
            () =>
            {
                var header = Header("1");
                header.NumberOfProcessingResult = "1";
                header.NumberOfNormalProcessing = "1";
                header.NumberOfError = "0";
                return Node(new XmlMsgEnvelope<BulkResultMessage>
                {
                    XmlMsg = new BulkResultMessage
                    {
                        MessageHeader = header,
                        MessageBody = new BulkResultBody
                        {
                            ReceptionNumber = "7301948265013377",
                            BulkConfirmUnit =
                            [
                                new BulkConfirmUnit
                                {
                                    QualificationConfirmSearchInfo = Patient, ProcessingResultStatus = "1", QualificationValidity = "1",
                                    ReferenceNumber = "5512093847561029",
                                    ResultOfQualificationConfirmation = new ResultOfQualificationConfirmation
                                    {
                                        InsuredCardClassification = "01", InsurerNumber = "06139993", InsuredIdentificationNumber = "567890", Name = "山田　太郎",
                                        Birthdate = "19800401", InsuredPartialContributionRatio = "030", InsurerName = "サンプル健康保険組合",
                                    },
                                },
                            ],
                        },
                    },
                });
            },
            () => ErrorOf(new(WireErrors.BulkNotFound.Code, WireErrors.BulkNotFound.Message))),
    };
}
