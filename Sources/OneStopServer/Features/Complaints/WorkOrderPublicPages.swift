import Foundation
import OneStopCore
import Vapor

/// The public's side of work orders (issue 20): a form to ask, complain or suggest without signing
/// in (`/hall/{code}/complaints`), its receipt with the number, and the tracker by number and the
/// last four digits of the phone (`/complaints/track`), which shows the state and the reply and
/// nothing of the handling.
enum WorkOrderPublicPages {
    struct AskView: Encodable {
        var center: String
        var centerName: String
        var kinds: [FormView.Option]
        var callerName: String
        var callerPhone: String
        var anonymous: Bool
        var confidential: Bool
        var title: String
        var text: String
        var address: String
        /// The brand supervised (its id), when the form was opened from a brand's page.
        var brand: String
        var brandName: String
        /// The center's banned phrases a complaint may cite, "none" first.
        var phrases: [FormView.Option]
        var errors: [String]
    }

    struct TrackView: Encodable {
        var number: String
        var found: TrackedWorkOrderDTO?
        var stateLabel: String
        var received: String
        var replied: String
        var errors: [String]
        var receipt: Bool
    }

    /// The console's form, of which the public fills in the caller and the request.
    typealias Form = WorkOrderPages.Form

    static let publicKinds: [WorkOrderKind] = [.consultation, .complaint, .suggestion, .help, .report, .praise]

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "hall", ":code", "complaints", access: .public) { req in
            // From a brand's page: a complaint about that brand (品牌监督热线).
            let brand = req.query[String.self, at: "brand"]
            return try await form(req, Form(kind: brand == nil ? "consultation" : "complaint", brand: brand), errors: [])
        }
        app.endpoint(.POST, "hall", ":code", "complaints", access: .public, body: .collect(maxSize: "52mb")) { req -> Response in
            let f = try req.content.decode(Form.self)
            struct Upload: Content { var files: [File]? }
            let sent = ((try? req.content.decode(Upload.self).files) ?? []).filter { $0.data.readableBytes > 0 }
            let code = req.parameters.get("code") ?? ""
            do {
                var input = f.input.publicOnly
                input.center = code
                input.brand = try await supervisedBrand(f.brand, req: req)?.name
                let files = try WorkOrderAttachments.checked(sent.map { ($0.filename, Array($0.data.readableBytesView)) }, already: 0)
                let (o, _) = try await WorkOrderService.create(input, channel: .web, files: files, req: req)
                return try await track(req, number: o.number, found: WorkOrderAPIController.publicReceipt(o), errors: [], receipt: true)
            } catch let v as ValidationFailure {
                return try await form(
                    req, f, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            }
        }
        app.endpoint(.GET, "complaints", "track", access: .public) { req in
            try await track(req, number: req.query[String.self, at: "number"] ?? "", found: nil, errors: [])
        }
        app.endpoint(.POST, "complaints", "track", access: .public) { req -> Response in
            struct In: Content { var orderNumber: String?; var phoneTail: String? }
            let f = try req.content.decode(In.self)
            do {
                let found = try await WorkOrderAPIController.track(number: f.orderNumber, tail: f.phoneTail, req: req)
                return try await track(req, number: f.orderNumber ?? "", found: found, errors: [])
            } catch let v as ValidationFailure {
                return try await track(
                    req, number: f.orderNumber ?? "", found: nil,
                    errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            } catch let a as any AbortError where a.status == .notFound || a.status == .tooManyRequests {
                return try await track(req, number: f.orderNumber ?? "", found: nil, errors: [a.reason], status: a.status)
            }
        }
    }

    /// The public brand a form supervises, by its id; nil for none or an unknown one.
    static func supervisedBrand(_ raw: String?, req: Request) async throws -> BrandModel? {
        guard let id = raw.flatMap(UUID.init(uuidString:)), let b = try await BrandModel.find(id, on: req.db), b.stateValue.isPublic else {
            return nil
        }
        return b
    }

    static func form(_ req: Request, _ f: Form, errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let brand = try await supervisedBrand(f.brand, req: req)
        let snapshot = try await req.catalog()
        let center = try PublicCenter.find(req.parameters.get("code") ?? "", in: snapshot)
        let view = AskView(
            center: center.code, centerName: center.hall.name,
            kinds: publicKinds.map {
                .init(value: $0.rawValue, label: req.t("workOrder.kind.\($0.rawValue)"), selected: f.kind == $0.rawValue)
            },
            callerName: f.callerName ?? "", callerPhone: f.callerPhone ?? "", anonymous: f.anonymous == "1",
            confidential: f.confidential == "1", title: f.subject ?? "", text: f.text ?? "", address: f.address ?? "",
            brand: brand?.id?.uuidString.lowercased() ?? "", brandName: brand?.name ?? "",
            phrases: try await HallRulesService.bannedOptions(center.id, selected: f.phrase, req: req), errors: errors)
        return try await req.page(
            "work-orders/public-form", title: req.t("workOrder.publicTitle", "center", center.hall.name), view, status: status)
    }

    static func track(
        _ req: Request, number: String, found: TrackedWorkOrderDTO?, errors: [String], receipt: Bool = false,
        status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        let view = TrackView(
            number: number, found: found, stateLabel: found.map { req.t("workOrder.publicState.\($0.state)") } ?? "",
            received: found.map { HallClock.minuteText($0.receivedAt) } ?? "", replied: found?.repliedAt.map(HallClock.minuteText) ?? "",
            errors: errors, receipt: receipt)
        return try await req.page(
            "work-orders/track", title: req.t(receipt ? "workOrder.receiptTitle" : "workOrder.trackTitle"), view, status: status)
    }
}
