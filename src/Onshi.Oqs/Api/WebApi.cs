using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Onshi.Core.Common;
using Onshi.Core.Data;
using Onshi.Core.Features.Accounts;
using Onshi.Core.Features.Audit;
using Onshi.Core.Features.Certificates;
using Onshi.Core.Features.Login;
using Onshi.Core.Features.Qualifications;
using Onshi.Core.Features.Qualifications.Bulk;
using Onshi.Core.Features.Sessions;
using Onshi.Oqs.Hosting;
using Onshi.Web.Hosting;

namespace Onshi.Oqs.Api;

/// <summary>
/// The Web API of SPEC §12 on the OQS endpoint, at the real paths (<c>auth</c>, <c>search</c>) and ours for 一括照会: a pipeline of
/// its own under <see cref="Prefix"/> that answers JSON only — every refusal is a well-formed message of §11.3 (<c>SegmentOfResult</c>
/// 9, <c>ErrorCode</c>, a Japanese <c>ErrorMessage</c>; <c>auth</c>'s own <c>status</c>/<c>msg</c> shape), never an HTML page and
/// never a 500. The same mutual TLS as the screens (<see cref="TerminalGate.AcceptAsync"/>), the machine accounts only, the
/// token being a server-side session bound to the account, its stamp and the certificate (<see cref="SessionService"/>).
/// </summary>
public static partial class WebApi
{
    public const string Prefix = "/oqs-api-pro";
    public const string AuthPath = "/oqs-api-pro/MSA12020/ILI12020SV01/auth";
    public const string SearchPath = "/oqs-api-pro/MSA01030/ILI01030SV01/search";
    public const string BulkPath = "/oqs-api-pro/onshi/v1/bulk";
    public const string BulkResultPath = "/oqs-api-pro/onshi/v1/bulk/result";

    /// <summary><c>auth</c>'s <c>linkSysCharCd</c>: the character code of the messages (0 UTF-8; the Web API speaks UTF-8 JSON).</summary>
    public const string LinkSystemCharacterCode = "0";

    public static bool IsApiPath(PathString path) => path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase);

    public static IServiceCollection AddOqsWebApi(this IServiceCollection services)
    {
        services.AddOptions<WebApiOptions>().BindConfiguration(WebApiOptions.SectionName)
            .Validate(o => o.TokenRequestsPerSecond >= 1 && o.TokenBurst >= 1 && o.CertificateRequestsPerSecond >= 1 && o.CertificateBurst >= 1
                && o.MaxBodyBytes >= 1024 && o.MaxBulkBodyBytes >= o.MaxBodyBytes,
                "Onshi:WebApi: the rates and bursts at least 1, MaxBodyBytes at least 1024, MaxBulkBodyBytes at least MaxBodyBytes.")
            .ValidateOnStart();
        services.AddSingleton<WebApiLimiter>();
        services.AddWebApiOpenApi();
        return services;
    }

    /// <summary>The API's own pipeline, taken before the pages' (their error pages are HTML).</summary>
    public static WebApplication UseOqsWebApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapWhen(context => IsApiPath(context.Request.Path), api =>
        {
            api.Use(Boundary);
            api.UseOnshiSecurityHeaders();
            api.UseReadinessGate(context => WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, WireErrors.Unavailable));
            api.UseMiddleware<ForwardedHeadersGate>();
            api.UseMiddleware<HostNameFilter>();
            api.Use(CertificateGate);
            api.UseRouting();
            api.UseEndpoints(e =>
            {
                e.MapPost(AuthPath, (Delegate)(Func<HttpContext, Task>)AuthAsync).WithName("auth").Describe<AuthRequest, AuthResponse>("認証（トークンの発行）",
                    "連携アプリ用・Web API用アカウントのユーザIDとシークレットで認証し、idToken（= accessToken）を返します。トークンは発行した端末証明書・アカウントに"
                    + "結び付き、パスワード初期化・無効化で失効します。誤りは既知・未知のIDで同じ応答になり、ロックの回数に数えます。",
                    StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status429TooManyRequests);
                e.MapPost(SearchPath, (Delegate)(Func<HttpContext, Task>)SearchAsync).WithName("search").Describe<XmlMsgEnvelope<QualificationRequestMessage>, XmlMsgEnvelope<QualificationResultMessage>>(
                    "資格情報照会", "1人の資格を照会します（Authorization: idToken）。MedicalInstitutionCode は端末証明書の医療機関等コードと一致する必要があります。",
                    StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge,
                    StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
                e.MapPost(BulkPath, (Delegate)(Func<HttpContext, Task>)BulkAsync).WithName("bulk").Describe<XmlMsgEnvelope<BulkRequestMessage>, XmlMsgEnvelope<BulkResultMessage>>(
                    "一括照会の受付（Onshi独自のパス）", "最大10,000人の一括照会をすぐに受け付け、受付番号（ReceptionNumber, SegmentOfResult 2）を返します。処理はバックグラウンドで行われます。",
                    StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status413PayloadTooLarge,
                    StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable);
                e.MapPost(BulkResultPath, (Delegate)(Func<HttpContext, Task>)BulkResultAsync).WithName("bulkResult").Describe<XmlMsgEnvelope<BulkResultRequestMessage>, XmlMsgEnvelope<BulkResultMessage>>(
                    "一括照会結果の取得（Onshi独自のパス）", "受付番号の一括照会の結果を返します。処理中は SegmentOfResult 2、完了後は1人ずつの BulkConfirmUnit。結果は保存期間（既定7日）の後に削除されます。",
                    StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
                    StatusCodes.Status429TooManyRequests);
                e.MapOpenApi(WebApiOpenApi.DocumentPath.Replace(WebApiOpenApi.DocumentName, "{documentName}", StringComparison.Ordinal));
            });
            api.Run(async context =>
            {
                await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiUnknownPath);
                await WriteErrorAsync(context, StatusCodes.Status404NotFound, WireErrors.UnknownPath);
            });
        });
        return app;
    }

    /// <summary>
    /// The outermost step: an exception becomes 503 with the message (logged by type only: a message could quote data), and a
    /// refusal of the shared steps that wrote no body (a forged Host, a 405) gets one.
    /// </summary>
    private static async Task Boundary(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var tooLarge = e.StatusCode == StatusCodes.Status413PayloadTooLarge;
            await RequestRefusals.RecordAsync(context, tooLarge ? RequestRefusalReasons.TooLarge : RequestRefusalReasons.ApiMalformed);
            await WriteErrorAsync(context, tooLarge ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                tooLarge ? WireErrors.TooLarge : WireErrors.Malformed);
            return;
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebApi)).LogWebApiFailure(e.GetType().FullName ?? "");
            await WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable, WireErrors.Unavailable);
            return;
        }

        if (!context.Response.HasStarted && context.Response.StatusCode >= 400 && context.Response.ContentLength is null or 0)
        {
            var status = context.Response.StatusCode;
            // Routing's own refusals (a wrong method; a body that is not JSON, by the endpoints' Accepts metadata) are audited here.
            if (status == StatusCodes.Status405MethodNotAllowed)
            {
                await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiUnknownPath);
            }
            else if (status == StatusCodes.Status415UnsupportedMediaType)
            {
                await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiMalformed);
            }

            await WriteErrorAsync(context, status, status switch
            {
                StatusCodes.Status405MethodNotAllowed or StatusCodes.Status404NotFound => WireErrors.UnknownPath,
                StatusCodes.Status413PayloadTooLarge => WireErrors.TooLarge,
                StatusCodes.Status415UnsupportedMediaType => WireErrors.ContentType,
                _ => WireErrors.HeaderInvalid,
            });
        }
    }

    /// <summary>Every API request comes from a terminal with a valid certificate of our CA, within its certificate's rate.</summary>
    private static async Task CertificateGate(HttpContext context, RequestDelegate next)
    {
        var services = context.RequestServices;
        var status = await TerminalGate.AcceptAsync(context, services.GetRequiredService<TerminalCertificateService>(), services.GetRequiredService<AuditLog>(),
            services.GetRequiredService<OqsSiteOptions>(), services.GetRequiredService<RefusalAuditGate>());
        if (status != CertificateCheckStatus.Valid)
        {
            await WriteErrorAsync(context, StatusCodes.Status403Forbidden, WireErrors.CertificateRejected);
            return;
        }

        if (!services.GetRequiredService<WebApiLimiter>().AdmitCertificate(context.Terminal().Thumbprint))
        {
            await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiRateLimited);
            context.Response.Headers.RetryAfter = "1";
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, WireErrors.Throttled);
            return;
        }

        await next(context);
    }

    // ---- auth ------------------------------------------------------------------------------------------------------------

    /// <summary><c>auth</c>'s request body (SPEC §12: the real field names are not public; these are ours).</summary>
    public sealed class AuthRequest
    {
        [JsonPropertyName("userId")]
        public string? UserId { get; set; }

        [JsonPropertyName("password")]
        public string? Password { get; set; }
    }

    /// <summary><c>auth</c>'s answer: <c>status</c> 0 with the tokens, or 1 with the reason in <c>msg</c> (and our <c>errorCode</c>).</summary>
    public sealed class AuthResponse
    {
        [JsonPropertyName("status")]
        public string Status { get; set; } = "0";

        [JsonPropertyName("msg")]
        public string Message { get; set; } = "";

        [JsonPropertyName("errorCode")]
        public string? ErrorCode { get; set; }

        [JsonPropertyName("result")]
        public AuthTokens? Result { get; set; }
    }

    /// <summary>
    /// The tokens. <c>idToken</c> goes in the <c>Authorization</c> header; <c>accessToken</c> is the same token (either is
    /// accepted). No <c>refreshToken</c> is issued: a machine account's secret does not expire, so the client authenticates again.
    /// </summary>
    public sealed class AuthTokens
    {
        [JsonPropertyName("accessToken")]
        public string AccessToken { get; set; } = "";

        [JsonPropertyName("refreshToken")]
        public string? RefreshToken { get; set; }

        [JsonPropertyName("idToken")]
        public string IdToken { get; set; } = "";

        [JsonPropertyName("linkSysCharCd")]
        public string LinkSysCharCd { get; set; } = LinkSystemCharacterCode;

        /// <summary>Seconds the token lives at most (ours; the session's idle limit also applies).</summary>
        [JsonPropertyName("expiresIn")]
        public int ExpiresIn { get; set; }
    }

    /// <summary>The wire's options for reading a request: any string holding a control character or U+FFFD is refused (as forms are).</summary>
    private static readonly JsonSerializerOptions RequestJson = new(WireJson.Options) { Converters = { new CleanStringConverter() } };

    /// <summary>Refuses a string value with a control character (NUL included) or U+FFFD (invalid UTF-8) — <c>forbidden-input</c>.</summary>
    private sealed class CleanStringConverter : JsonConverter<string>
    {
        public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException("Not a string.");
            }

            var value = reader.GetString();
            return value is not null && value.Any(TextInput.IsForbidden) ? throw new ForbiddenInputException() : value;
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
    }

    private sealed class ForbiddenInputException : JsonException
    {
        public ForbiddenInputException()
            : base("A string holds a forbidden character.")
        {
        }
    }

    private static async Task AuthAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var read = await ReadAsync<AuthRequest>(context, Options(context).MaxBodyBytes, RequestJson);
        if (read.Error is { } error)
        {
            await WriteAuthAsync(context, read.Status, error);
            return;
        }

        var body = read.Value!;
        var site = services.GetRequiredService<OqsSiteOptions>();
        var result = await services.GetRequiredService<LoginService>().MachineLoginAsync(site.Environment, context.Terminal(), body.UserId, body.Password,
            context.ClientAddress(), context.RequestAborted);
        switch (result.Outcome)
        {
            case LoginOutcome.Success:
                var lifetime = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Onshi.Core.Features.Sessions.SessionOptions>>().Value;
                var seconds = (int)Math.Min(lifetime.MachineTokenLifetime.TotalSeconds, lifetime.AbsoluteTimeout.TotalSeconds);
                await WriteJsonAsync(context, StatusCodes.Status200OK, new AuthResponse
                {
                    Result = new AuthTokens { AccessToken = result.SessionKey!, IdToken = result.SessionKey!, ExpiresIn = seconds },
                }, WireJson.Options);
                return;
            case LoginOutcome.Throttled:
                context.Response.Headers.RetryAfter = "60";
                await WriteAuthAsync(context, StatusCodes.Status429TooManyRequests, WireErrors.Throttled);
                return;
            case LoginOutcome.MustChangePassword or LoginOutcome.TemporaryPasswordExpired:
                await WriteAuthAsync(context, StatusCodes.Status403Forbidden, WireErrors.CredentialMustChange);
                return;
            default:
                await WriteAuthAsync(context, StatusCodes.Status401Unauthorized, WireErrors.CredentialsRejected);
                return;
        }
    }

    private static Task WriteAuthAsync(HttpContext context, int status, OnshiError error) =>
        WriteJsonAsync(context, status, new AuthResponse { Status = "1", Message = error.Message, ErrorCode = error.Code }, WireJson.Options);

    // ---- search ----------------------------------------------------------------------------------------------------------

    private static async Task SearchAsync(HttpContext context)
    {
        if (await SignedInAsync(context) is not { } actor)
        {
            return;
        }

        var read = await ReadAsync<XmlMsgEnvelope<QualificationRequestMessage>>(context, Options(context).MaxBodyBytes, RequestJson);
        if (read.Error is { } error)
        {
            await WriteErrorAsync(context, read.Status, error);
            return;
        }

        var message = read.Value?.XmlMsg;
        var header = message?.MessageHeader;
        var search = message?.MessageBody?.QualificationConfirmSearchInfo;
        if (header is null || search is null)
        {
            await RefuseMalformedAsync(context);
            return;
        }

        if (!await SameInstitutionAsync(context, actor, header.MedicalInstitutionCode))
        {
            return;
        }

        var input = LookupInput.FromWire(search, header.QualificationConfirmationDate);
        var fileId = Echo(header.ArbitraryFileIdentifier);
        var outcome = await context.RequestServices.GetRequiredService<QualificationLookupService>()
            .LookupAsync(actor, input, Channel(actor), context.RequestAborted);
        if (!outcome.Succeeded)
        {
            await WriteResultAsync(context, StatusCodes.Status400BadRequest, InputError(actor, header, fileId, outcome.Errors, context));
            return;
        }

        var o = outcome.Value!;
        await WriteResultAsync(context, StatusCodes.Status200OK, new QualificationResultMessage
        {
            MessageHeader = new ResultHeader
            {
                ProcessExecutionTime = QualificationLookupService.WireTime(o.Result.ExecutedAt),
                QualificationConfirmationDate = QualificationAnswer.Wire(o.Key.ConfirmationDate),
                MedicalInstitutionCode = actor.Principal.InstitutionCode,
                ArbitraryFileIdentifier = fileId,
                ReferenceClassification = "2",
                SegmentOfResult = "1",
                CharacterCodeIdentifier = "0",
            },
            MessageBody = o.Body,
        });
    }

    /// <summary>A patient's keys refused: <c>SegmentOfResult</c> 9 with <see cref="WireErrors.InputInvalid"/>, the body saying the same.</summary>
    private static QualificationResultMessage InputError(ActorContext actor, RequestHeader header, string? fileId, IReadOnlyList<OnshiError> errors,
        HttpContext context)
    {
        var message = string.Join(" ", errors.Select(e => e.Message).Distinct());
        return new QualificationResultMessage
        {
            MessageHeader = ErrorHeader(context, actor.Principal.InstitutionCode, new OnshiError(WireErrors.InputInvalid, message), fileId,
                WireDate(header.QualificationConfirmationDate)),
            MessageBody = new ResultBody { ProcessingResultStatus = "2", ProcessingResultCode = WireErrors.InputInvalid, ProcessingResultMessage = message },
        };
    }

    // ---- 一括照会 ----------------------------------------------------------------------------------------------------------

    private static async Task BulkAsync(HttpContext context)
    {
        if (await SignedInAsync(context) is not { } actor)
        {
            return;
        }

        var read = await ReadAsync<XmlMsgEnvelope<BulkRequestMessage>>(context, Options(context).MaxBulkBodyBytes, RequestJson);
        if (read.Error is { } error)
        {
            await WriteErrorAsync(context, read.Status, error);
            return;
        }

        var header = read.Value?.XmlMsg?.MessageHeader;
        if (header is null || read.Value!.XmlMsg!.MessageBody is not { } body)
        {
            await RefuseMalformedAsync(context);
            return;
        }

        if (!await SameInstitutionAsync(context, actor, header.MedicalInstitutionCode))
        {
            return;
        }

        var services = context.RequestServices;
        var submitted = await services.GetRequiredService<BulkInquiryService>().SubmitAsync(actor, Channel(actor),
            new BulkInquiryService.Header(header.QualificationConfirmationDate, header.ArbitraryFileIdentifier), body.QualificationConfirmSearchInfo, null,
            context.RequestAborted);
        if (!submitted.Succeeded)
        {
            var e = submitted.Errors[0];
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, e.Code.StartsWith('E') ? e : new OnshiError(WireErrors.InputInvalid, e.Message),
                Echo(header.ArbitraryFileIdentifier));
            return;
        }

        await WriteBulkAsync(context, BulkInquiryService.Message(submitted.Value!, [], actor.Principal.InstitutionCode, Now(context)));
    }

    private static async Task BulkResultAsync(HttpContext context)
    {
        if (await SignedInAsync(context) is not { } actor)
        {
            return;
        }

        var read = await ReadAsync<XmlMsgEnvelope<BulkResultRequestMessage>>(context, Options(context).MaxBodyBytes, RequestJson);
        if (read.Error is { } error)
        {
            await WriteErrorAsync(context, read.Status, error);
            return;
        }

        var message = read.Value?.XmlMsg;
        if (message?.MessageHeader is not { } header || string.IsNullOrWhiteSpace(message.MessageBody?.ReceptionNumber))
        {
            await RefuseMalformedAsync(context);
            return;
        }

        if (!await SameInstitutionAsync(context, actor, header.MedicalInstitutionCode))
        {
            return;
        }

        var result = await context.RequestServices.GetRequiredService<BulkInquiryService>().ResultAsync(actor, message.MessageBody.ReceptionNumber,
            context.RequestAborted);
        if (!result.Succeeded)
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, result.Errors[0]);
            return;
        }

        var (inquiry, units) = result.Value;
        await WriteBulkAsync(context, BulkInquiryService.Message(inquiry, units, actor.Principal.InstitutionCode, Now(context)));
    }

    // ---- the shared steps ------------------------------------------------------------------------------------------------

    /// <summary>
    /// The signed-in machine account behind the <c>Authorization</c> header (the token alone, or <c>Bearer</c> and the token),
    /// valid from this terminal's certificate, within its token's rate; else the refusal is written and null returned.
    /// </summary>
    private static async Task<ActorContext?> SignedInAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var header = context.Request.Headers.Authorization.ToString().Trim();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : header;
        var terminal = context.Terminal();
        var principal = SessionKeys.IsPlausible(token)
            ? await services.GetRequiredService<SessionService>().ValidateAsync(token, terminal.Thumbprint, services.GetRequiredService<OqsSiteOptions>().Environment,
                context.RequestAborted)
            : null;
        if (principal is null || !PermissionMatrix.MayUseMachineInterface(principal.Kind))
        {
            await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiToken);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await WriteErrorAsync(context, StatusCodes.Status401Unauthorized, WireErrors.Unauthenticated);
            return null;
        }

        context.Features.Set(principal);
        if (!services.GetRequiredService<WebApiLimiter>().AdmitToken(principal.SessionId))
        {
            await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiRateLimited);
            context.Response.Headers.RetryAfter = "1";
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests, WireErrors.Throttled);
            return null;
        }

        return context.Actor();
    }

    /// <summary>A body that reads as JSON but is not the message it should be: 400 <c>EM0001</c>, audited.</summary>
    private static async Task RefuseMalformedAsync(HttpContext context)
    {
        await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiMalformed);
        await WriteErrorAsync(context, StatusCodes.Status400BadRequest, WireErrors.Malformed);
    }

    /// <summary>The message's <c>MedicalInstitutionCode</c> must be the certificate's: another is refused (403) and audited.</summary>
    private static async Task<bool> SameInstitutionAsync(HttpContext context, ActorContext actor, string? code)
    {
        if (string.Equals((code ?? "").Trim(), actor.Principal.InstitutionCode, StringComparison.Ordinal))
        {
            return true;
        }

        var audit = context.RequestServices.GetRequiredService<AuditLog>();
        audit.Record(actor.Audit(AuditActions.AccessDenied, AuditOutcomes.Denied, RequestRefusals.Route(context), "institution-mismatch"));
        await audit.CommitAsync(context.RequestAborted);
        await WriteErrorAsync(context, StatusCodes.Status403Forbidden, WireErrors.InstitutionMismatch);
        return false;
    }

    private static LookupChannel Channel(ActorContext actor) => actor.Principal.Kind == AccountKind.LinkedApp ? LookupChannel.LinkApp : LookupChannel.WebApi;

    private static WebApiOptions Options(HttpContext context) =>
        context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebApiOptions>>().Value;

    private static DateTime Now(HttpContext context) => context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;

    /// <summary>A body read as <typeparamref name="T"/> within <paramref name="limit"/> bytes, or the refusal (audited) to answer.</summary>
    private static async Task<(T? Value, OnshiError? Error, int Status)> ReadAsync<T>(HttpContext context, long limit, JsonSerializerOptions options)
        where T : class
    {
        var contentType = context.Request.ContentType ?? "";
        if (!contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiMalformed);
            return (null, WireErrors.ContentType, StatusCodes.Status415UnsupportedMediaType);
        }

        if (context.Request.ContentLength > limit)
        {
            await RequestRefusals.RecordAsync(context, RequestRefusalReasons.TooLarge);
            return (null, WireErrors.TooLarge, StatusCodes.Status413PayloadTooLarge);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit;
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, options, context.RequestAborted);
            if (value is null)
            {
                await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiMalformed);
                return (null, WireErrors.Malformed, StatusCodes.Status400BadRequest);
            }

            return (value, null, StatusCodes.Status200OK);
        }
        catch (ForbiddenInputException)
        {
            await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ForbiddenInput);
            return (null, WireErrors.ForbiddenInput, StatusCodes.Status400BadRequest);
        }
        catch (JsonException)
        {
            await RequestRefusals.RecordAsync(context, RequestRefusalReasons.ApiMalformed);
            return (null, WireErrors.Malformed, StatusCodes.Status400BadRequest);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await RequestRefusals.RecordAsync(context, RequestRefusalReasons.TooLarge);
            return (null, WireErrors.TooLarge, StatusCodes.Status413PayloadTooLarge);
        }
    }

    /// <summary>A value of the request echoed in an answer only when it is plausible (≤ 100 characters, no control characters).</summary>
    private static string? Echo(string? value) => value is { Length: > 0 } && QualificationErrors.IsAcceptableIdentifier(value) ? value : null;

    private static string? WireDate(string? value) => value is { Length: 8 } && value.All(char.IsAsciiDigit) ? value : null;

    private static ResultHeader ErrorHeader(HttpContext context, string? institutionCode, OnshiError error, string? fileId = null, string? date = null) => new()
    {
        ProcessExecutionTime = QualificationLookupService.WireTime(Now(context)),
        QualificationConfirmationDate = date,
        MedicalInstitutionCode = institutionCode,
        ArbitraryFileIdentifier = fileId,
        ReferenceClassification = "2",
        SegmentOfResult = "9",
        ErrorCode = error.Code,
        ErrorMessage = error.Message,
        CharacterCodeIdentifier = "0",
    };

    /// <summary>A refusal as the message of §11.3: <c>SegmentOfResult</c> 9 with the code and its Japanese message.</summary>
    private static Task WriteErrorAsync(HttpContext context, int status, OnshiError error, string? fileId = null) =>
        WriteResultAsync(context, status, new QualificationResultMessage
        {
            MessageHeader = ErrorHeader(context, context.Features.Get<TerminalIdentity>()?.InstitutionCode, error, fileId),
            MessageBody = new ResultBody(),
        });

    private static Task WriteResultAsync(HttpContext context, int status, QualificationResultMessage message) =>
        WriteJsonAsync(context, status, new XmlMsgEnvelope<QualificationResultMessage> { XmlMsg = message }, WireJson.Options);

    private static Task WriteBulkAsync(HttpContext context, BulkResultMessage message) =>
        WriteJsonAsync(context, StatusCodes.Status200OK, new XmlMsgEnvelope<BulkResultMessage> { XmlMsg = message }, WireJson.Options);

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T value, JsonSerializerOptions options)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, value, options, context.RequestAborted);
    }

    [LoggerMessage(EventId = 1601, Level = LogLevel.Error, Message = "A Web API request failed with {ExceptionType}; answered 503.")]
    private static partial void LogWebApiFailure(this ILogger logger, string exceptionType);
}
