import Foundation
import OneStopCore
import Vapor

/// The register's API (`logPhoneCall`, `importPhoneCalls`, `listPhoneCalls`) and its page,
/// `/phone-calls`: the day's report per window, the calls, a form to log one and one to import
/// the PBX's file.
enum PhoneRegisterRoutes {
    static let schemas: [String: JSONValue] = {
        typealias S = OpenAPISchemas
        let call = S.object([
            "id": S.uuid, "windowID": S.uuid, "window": S.string, "day": S.string, "startedAt": S.dateTime, "time": S.string,
            "dialled": S.string, "caller": S.optionalString, "disposition": CaseSchemas.names(CallDisposition.self),
            "answered": S.bool, "durationSeconds": S.integer, "source": ["enum": ["manual", "pbx"]], "test": S.bool,
            "verdict": ["enum": .array(TestCallVerdict.allCases.map { .string($0.rawValue) } + [.null])], "note": S.string,
            "loggedBy": S.string,
        ])
        let window = S.object([
            "windowID": S.uuid, "window": S.string, "phone": S.string, "calls": S.integer, "answered": S.integer,
            "unanswered": S.integer, "tests": S.integer, "testsFailed": S.integer, "warned": S.bool,
        ])
        return [
            "PhoneCall": call,
            "PhoneCallInput": S.object(
                [
                    "center": S.string, "window": S.string, "at": S.string, "disposition": CaseSchemas.names(CallDisposition.self),
                    "caller": S.string, "durationSeconds": S.integer, "test": S.bool,
                    "verdict": CaseSchemas.names(TestCallVerdict.self), "note": S.string,
                ], required: ["window"]),
            "PhoneDay": S.object([
                "centerID": S.uuid, "day": S.string, "windows": ["type": "array", "items": window],
                "unansweredWindows": ["type": "array", "items": S.string], "calls": ["type": "array", "items": call],
            ]),
            "PhoneCDR": ["type": "string", "description": "Asterisk Master.csv (cdr_csv), one call per line"],
            "PhoneImportResult": S.object([
                "imported": S.integer, "alreadyImported": S.integer, "otherNumbers": S.integer,
                "warnings": ["type": "array", "items": S.string],
            ]),
        ]
    }()

    static let centerQuery = APIOperation.QueryParameter(name: "center", type: "string", description: "code or id (default the caller's)")

    static func register(api: any RoutesBuilder) {
        api.endpoint(
            .POST, "phone-calls", access: PhoneRegister.loggers,
            operation: .init(
                id: "logPhoneCall",
                summary:
                    "Log a call to a window's supervision phone by hand; `test` (暗访, supervisors and administrators) needs a verdict. The third unanswered call to a window in a day raises a warning",
                tag: "Work orders", request: "PhoneCallInput", response: "PhoneCall", successStatus: 201)
        ) { req in
            try await OrgAPIController.created(PhoneRegister.log(try req.content.decode(PhoneRegister.Input.self), req: req), req)
        }
        api.endpoint(
            .POST, "phone-calls", "import", access: PhoneRegister.loggers,
            operation: .init(
                id: "importPhoneCalls",
                summary:
                    "Import the PBX's call-detail records (Asterisk Master.csv) for a center: all or nothing, every bad line named (`cdr.<line>.<column>`); records already imported are left, calls to numbers that are no window's phone are not registered",
                tag: "Work orders", request: "PhoneCDR", response: "PhoneImportResult", query: [centerQuery]),
            body: .collect(maxSize: "20mb")
        ) { req in
            try await PhoneRegister.importCDR(req.body.string ?? "", center: req.query[String.self, at: "center"], req: req)
        }
        api.endpoint(
            .GET, "phone-calls", access: PhoneRegister.viewers,
            operation: .init(
                id: "listPhoneCalls",
                summary:
                    "A day of the register: each window's calls, unanswered calls, test calls and warning, and the calls; a chief representative sees their department's windows",
                tag: "Work orders", response: "PhoneDay",
                query: [
                    centerQuery, .init(name: "day", type: "string", format: "date", description: "YYYY-MM-DD (default today)"),
                    .init(name: "window", type: "string", format: "uuid"),
                    .init(name: "unanswered", type: "boolean", description: "only calls not answered"),
                    .init(name: "test", type: "boolean", description: "only test calls (暗访)"),
                ])
        ) { req in
            try await PhoneRegister.day(
                PhoneRegister.filter(req), center: PhoneRegister.center(req.query[String.self, at: "center"], req: req), req: req)
        }
    }

    // MARK: - The page

    struct PageView: Encodable {
        var day: String
        var centerOptions: [FormView.Option]
        var center: String
        var windows: [PhoneRegister.WindowDay]
        var unansweredWindows: [String]
        var calls: [CallRow]
        var windowOptions: [FormView.Option]
        var dispositions: [FormView.Option]
        var verdicts: [FormView.Option]
        var canLog: Bool
        var canTest: Bool
        var form: Form
        var errors: [String]
        var unanswered: Bool
        var importErrors: [ImportProblem]
    }

    struct CallRow: Encodable {
        var time: String
        var window: String
        var caller: String
        var disposition: String
        var answered: Bool
        var duration: String
        var test: String
        var note: String
        var source: String
    }

    struct ImportProblem: Encodable {
        var line: String
        var column: String
        var message: String
    }

    struct Form: Content {
        var center: String?
        var window: String?
        var at: String?
        var disposition: String?
        var caller: String?
        var durationSeconds: String?
        var test: String?
        var verdict: String?
        var note: String?

        var input: PhoneRegister.Input {
            .init(
                center: center, window: window, at: at, disposition: disposition, caller: caller,
                durationSeconds: durationSeconds.flatMap { raw in
                    let text = raw.trimmingCharacters(in: .whitespaces)
                    // Not a number: refused as one out of range, not taken as none.
                    return text.isEmpty ? nil : Int(text) ?? -1
                }, test: test == "yes",
                verdict: verdict, note: note)
        }
    }

    static func register(pages app: any RoutesBuilder) {
        app.endpoint(.GET, "phone-calls", access: PhoneRegister.viewers) { req in
            let stamp = DateFormatter()
            stamp.timeZone = HallClock.zone
            stamp.dateFormat = "yyyy-MM-dd'T'HH:mm"
            return try await page(req, form: Form(at: stamp.string(from: req.now), disposition: "no_answer"), errors: [])
        }
        app.endpoint(.POST, "phone-calls", access: PhoneRegister.loggers) { req -> Response in
            let f = try req.content.decode(Form.self)
            do {
                let call = try await PhoneRegister.log(f.input, req: req)
                req.flash(req.t("phone.logged", ["window": call.window, "time": call.time]))
                return req.redirect(to: "/phone-calls?day=\(call.day)&center=\(f.center ?? "")")
            } catch let v as ValidationFailure {
                return try await page(
                    req, form: f, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) },
                    status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "phone-calls", "import", access: PhoneRegister.loggers, body: .collect(maxSize: "20mb")) { req -> Response in
            struct Upload: Content {
                var center: String?
                var file: File?
            }
            let u = try req.content.decode(Upload.self)
            let text = u.file.flatMap { $0.data.getString(at: $0.data.readerIndex, length: $0.data.readableBytes) } ?? ""
            do {
                let r = try await PhoneRegister.importCDR(text, center: u.center, req: req)
                req.flash(
                    req.t(
                        "phone.importDone",
                        [
                            "imported": String(r.imported), "already": String(r.alreadyImported), "other": String(r.otherNumbers),
                        ]) + (r.warnings.isEmpty ? "" : " " + req.t("phone.importWarned", ["windows": r.warnings.joined(separator: "、")])))
                return req.redirect(to: "/phone-calls?center=\(u.center ?? "")")
            } catch let v as ValidationFailure {
                let problems = v.errors.map { e -> ImportProblem in
                    let parts = e.field.split(separator: ".").map(String.init)
                    let message = req.application.catalog.text("error.\(e.code)", req.language, ["field": ""])
                    return ImportProblem(
                        line: parts.count > 1 ? parts[1] : "", column: parts.count > 2 ? parts[2] : "",
                        message: message.hasPrefix("：") || message.hasPrefix(":")
                            ? String(message.dropFirst()).trimmingCharacters(in: .whitespaces) : message)
                }
                return try await page(req, form: Form(center: u.center), errors: [], importErrors: problems, status: .unprocessableEntity)
            }
        }
    }

    static func page(
        _ req: Request, form: Form, errors: [String], importErrors: [ImportProblem] = [], status: HTTPStatus = .ok
    ) async throws -> Response {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        var pageErrors = errors
        var filter = PhoneRegister.Filter(day: HallClock.day(req.now))
        do { filter = try PhoneRegister.filter(req) } catch let v as ValidationFailure {
            pageErrors += v.errors.map { req.application.catalog.fieldMessage($0, req.language) }
        }
        let centerID = try await PhoneRegister.center(form.center ?? req.query[String.self, at: "center"], req: req)
        let day = try await PhoneRegister.day(filter, center: centerID, req: req)
        let phones = try await PhoneRegister.phones(center: centerID, on: req.db)
        let rows = day.calls.map { c in
            CallRow(
                time: c.time, window: c.window, caller: c.caller ?? "—", disposition: req.t("phone.disposition.\(c.disposition)"),
                answered: c.answered, duration: c.answered ? req.t("phone.seconds", ["n": String(c.durationSeconds)]) : "—",
                test: c.test ? req.t("phone.verdict.\(c.verdict ?? "good")") : "", note: c.note, source: req.t("phone.source.\(c.source)"))
        }
        let view = PageView(
            day: day.day, centerOptions: req.centerOptions(scope, selected: centerID.uuidString), center: centerID.uuidString,
            windows: day.windows, unansweredWindows: day.unansweredWindows, calls: rows,
            windowOptions: phones.windows.map { w in
                .init(value: String(w.number), label: "\(w.number)号 \(w.name)（\(w.phone ?? "")）", selected: form.window == String(w.number))
            },
            dispositions: CallDisposition.allCases.map {
                .init(value: $0.rawValue, label: req.t("phone.disposition.\($0.rawValue)"), selected: form.disposition == $0.rawValue)
            },
            verdicts: TestCallVerdict.allCases.map {
                .init(value: $0.rawValue, label: req.t("phone.verdict.\($0.rawValue)"), selected: form.verdict == $0.rawValue)
            },
            canLog: [.hotlineOperator, .centerAdmin, .supervisor].contains(p.role), canTest: [.supervisor, .centerAdmin].contains(p.role),
            form: form, errors: pageErrors, unanswered: filter.unanswered, importErrors: importErrors)
        return try await req.page("phone-calls/day", title: req.t("phone.title"), view, status: status)
    }
}
