import Fluent
import Foundation
import OneStopCore
import Vapor

/// Finding a returning applicant at the window by their ID number as it is typed: who they are
/// (phone masked), their earlier cases, the licences OneStop issued them and, for the item being
/// taken in, the materials those licences stand in for.
enum ApplicantLookup {
    struct Result: Content {
        struct Exempt: Content {
            var position: Int
            var kind: String
            var number: String
            var note: String
        }
        struct Earlier: Content {
            var number: String
            var itemName: String
            var receivedOn: String
            var state: String
        }
        var found: Bool
        var id: UUID?
        var name: String?
        var phone: String?
        var contact: String?
        var cases: Int
        var recent: [Earlier]
        var licences: [ElectronicLicence.Held]
        var exempt: [Exempt]
    }

    static func find(kind: String?, idNumber: String?, item: String?, center: String?, req: Request) async throws -> Result {
        let scope = try await req.scope()
        guard let who = ApplicantInput(kind: kind, idNumber: idNumber).identity() else {
            throw ValidationFailure([FieldError("idNumber", "applicant.idForLookup")])
        }
        guard let a = try await CaseRows.findApplicant(kind: who.kind.rawValue, idNumber: who.idNumber, on: req.db) else {
            return Result(found: false, cases: 0, recent: [], licences: [], exempt: [])
        }
        // Only the cases of centers the viewer works for.
        let mine = try await CaseModel.query(on: req.db).filter(\.$applicantID == a.id!).filter(\.$centerID ~~ Array(scope.centers))
            .sort(\.$createdAt, .descending).field(\.$number).field(\.$itemName).field(\.$receivedOn).field(\.$state).all()
        let held = try await Licences.held(by: a.id!, on: req.db)
        var exempt: [Result.Exempt] = []
        if let item, !item.isEmpty, let centerText = center, !centerText.isEmpty {
            let c = try await CaseService.intakeCenter(centerText, scope: scope, req: req)
            if let (_, guide, _) = try? await CaseService.itemInForce(item, center: c.id, req: req) {
                exempt = ElectronicLicence.exempt(materials: guide.materials.map(\.name), held: held).sorted { $0.key < $1.key }.map {
                    .init(position: $0.key, kind: $0.value.kind, number: $0.value.number, note: Licences.exemptNote($0.value))
                }
            }
        }
        return Result(
            found: true, id: a.id, name: a.name, phone: PhoneNumber.masked(a.phone), contact: a.contact, cases: mine.count,
            recent: mine.prefix(3).map {
                .init(number: $0.number, itemName: $0.itemName, receivedOn: $0.receivedOn, state: req.t("case.state.\($0.state)"))
            }, licences: held, exempt: exempt)
    }

    static func register(pages app: any RoutesBuilder, api: any RoutesBuilder) {
        @Sendable func answer(_ req: Request) async throws -> Result {
            try await find(
                kind: req.query["kind"], idNumber: req.query["idNumber"], item: req.query["item"], center: req.query["center"], req: req)
        }
        // For the intake page's script, signed in by its session.
        app.endpoint(.GET, "cases", "applicant", access: CaseAccess.handlers, use: answer)
        api.endpoint(
            .GET, "applicants", "lookup", access: CaseAccess.handlers,
            operation: .init(
                id: "lookUpApplicant",
                summary: "A returning applicant by ID number or credit code: earlier cases, licences held, materials exempt for an item",
                tag: "Cases", response: "ApplicantLookup",
                query: [
                    .init(name: "idNumber", type: "string", required: true), .init(name: "kind", type: "string"),
                    .init(name: "item", type: "string", description: "an item code: which of its materials the licences stand in for"),
                    .init(name: "center", type: "string"),
                ]), use: answer)
    }
}

extension ElectronicLicence.Held: Content {}
