import Fluent
import Foundation
import OneStopCore
import Vapor

/// The public's pages of cases: applying online, tracking by number, registering.
extension CasePages {
    struct TrackView: Encodable {
        var number: String
        var result: TrackedCaseDTO?
        var stateLabel: String
        var events: [EventRow]
        var error: String?
    }

    struct RegisterView: Encodable {
        var values: [String: String]
        var kinds: [FormView.Option]
        var errors: [String]
        var done: String?
    }

    // MARK: applying online

    struct ApplyView: Encodable {
        var centers: [FormView.Option]
        var center: String
        var items: [FormView.Option]
        var item: String
        var itemName: String
        var materials: [MaterialRow]
        var summary: String
        var errors: [String]
        var maxMB: Int
    }

    static func applyForm(_ req: Request, errors: [FieldError], status: HTTPResponseStatus = .ok) async throws -> Response {
        let form = req.method == .POST ? (try? req.content.decode(OnlineApplication.Form.self)) : nil
        let center = form?.center ?? req.query[String.self, at: "center"] ?? ""
        let item = form?.item ?? req.query[String.self, at: "item"] ?? ""
        let tree = try await req.application.centerTrees.tree(on: req.db)
        let centerID = UUID(uuidString: center)
        var items: [FormView.Option] = [.init(value: "", label: req.t("case.new.chooseItem"), selected: item.isEmpty)]
        var rows: [MaterialRow] = []
        var name = ""
        if let centerID {
            for o in try await itemOptions(centerID, selected: item, on: req.db) {
                guard let row = try await ServiceItemModel.query(on: req.db).filter(\.$code == o.value).first(), let v = row.versionInForce,
                    let content = try await CatalogService.version(row.id!, v, on: req.db)?.content,
                    (try? CatalogService.guide(content))?.onlineApplication == true
                else { continue }
                items.append(o)
            }
            if !item.isEmpty, let (_, guide, _) = try? await CaseService.itemInForce(item, center: centerID, req: req),
                guide.onlineApplication
            {
                name = guide.name
                var held: [ElectronicLicence.Held] = []
                if let own = try await ApplicantService.own(req) { held = try await Licences.held(by: own.id!, on: req.db) }
                let exempt = ElectronicLicence.exempt(materials: guide.materials.map(\.name), held: held)
                rows = guide.materials.enumerated().map { i, m in
                    MaterialRow(
                        n: i + 1, name: m.name + (m.condition.map { "（\($0)）" } ?? ""), need: m.need.rawValue, needLabel: m.need.label(req),
                        status: exempt[i + 1] == nil ? "" : "exempt",
                        note: exempt[i + 1].map { req.t("case.exempt", "number", $0.number) } ?? "",
                        error: errors.first { $0.field == "materials.\(i + 1)" }.map {
                            req.application.catalog.fieldMessage($0, req.language)
                        })
                }
            }
        }
        let view = ApplyView(
            centers: [.init(value: "", label: req.t("case.apply.chooseCenter"), selected: centerID == nil)]
                + tree.ordered().map {
                    .init(
                        value: $0.node.id.uuidString, label: String(repeating: "　", count: $0.depth) + $0.node.name,
                        selected: $0.node.id == centerID)
                },
            center: center, items: items, item: item, itemName: name, materials: rows, summary: form?.summary ?? "",
            errors: errors.map { req.application.catalog.fieldMessage($0, req.language) }, maxMB: CaseUpload.maxFileBytes >> 20)
        return try await req.page("cases/apply", title: req.t("case.apply.title"), view, status: status)
    }

    // MARK: tracking and registration

    static func trackPage(_ req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let number = f["number"] ?? ""
        do {
            let r = try await CaseAPIController.track(TrackInput(number: number, idTail: f["idTail"]), req: req)
            let t = DateFormatter()
            t.timeZone = HallClock.zone
            t.dateFormat = "HH:mm"
            return try await req.page(
                "cases/track", title: req.t("case.track.title"),
                TrackView(
                    number: r.number, result: r, stateLabel: req.t("case.state.\(r.state)"),
                    events: r.events.map {
                        .init(
                            day: $0.day, time: t.string(from: $0.at), actionLabel: req.t("case.action.\($0.action)"),
                            stateLabel: req.t("case.state.\($0.toState)"), actor: "", reason: "")
                    }, error: nil))
        } catch let a as any AbortError where [.notFound, .tooManyRequests].contains(a.status) {
            return try await req.page(
                "cases/track", title: req.t("case.track.title"),
                TrackView(number: number, result: nil, stateLabel: "", events: [], error: a.reason), status: a.status)
        }
    }

    static func registerPage(_ req: Request) async throws -> Response {
        let f = try req.content.decode([String: String].self)
        let input = RegisterApplicantInput(
            kind: f["kind"], name: f["name"], idNumber: f["idNumber"], phone: f["phone"], contact: f["contact"], password: f["password"])
        var values = f
        values["password"] = nil
        values["_csrf"] = nil
        do {
            _ = try await ApplicantService.register(input, req: req)
            return try await req.page(
                "cases/register", title: req.t("applicant.register.title"),
                RegisterView(values: [:], kinds: kinds(req, "person"), errors: [], done: req.t("applicant.register.done")))
        } catch let v as ValidationFailure {
            return try await req.page(
                "cases/register", title: req.t("applicant.register.title"),
                RegisterView(
                    values: values, kinds: kinds(req, f["kind"] ?? "person"),
                    errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, done: nil),
                status: .unprocessableEntity)
        }
    }
}
