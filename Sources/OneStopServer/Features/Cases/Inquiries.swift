import Fluent
import Foundation
import OneStopCore
import Vapor

struct InquiryInput: Content {
    var visitorName: String?
    var visitorPhone: String?
    var question: String?
    /// An item code: what was told about it is recorded (一次性告知).
    var item: String?
    var answer: String?
    var userID: UUID?
}

struct InquiryDTO: Content {
    var id: UUID
    var serial: String
    var ownerName: String
    var visitorName: String
    var visitorPhone: String
    var question: String
    var itemName: String
    var told: [String]
    var status: String
    var answer: String
    var handedToName: String
    var createdAt: Date
    var printURL: String

    init(_ m: InquiryModel) {
        id = m.id!
        serial = m.serial
        ownerName = m.ownerName
        visitorName = m.visitorName
        // A visitor's phone is for calling back; staff lists show it masked.
        visitorPhone = m.visitorPhone.isEmpty ? "" : PhoneNumber.masked(m.visitorPhone)
        question = m.question
        itemName = m.itemName
        told = (try? JSONDecoder().decode([String].self, from: Data(m.told.utf8))) ?? []
        status = m.status
        answer = m.answer
        handedToName = m.handedToName
        createdAt = Date(timeIntervalSince1970: Double(m.createdAt) / 1000)
        printURL = "/inquiries/\(m.id!)/print"
    }
}

/// 首问负责制 and 一次性告知 (DOMAIN.md §4): the first member of staff a visitor asks records the
/// question and owns it until they answer it or hand it to a colleague; telling a visitor what an
/// item needs records what was told, printable for the visitor to take away.
enum Inquiries {
    static let staff = Access.only(.windowStaff, .chiefRepresentative, .centerAdmin)

    /// What a guide says a visitor needs, line by line, as it is told.
    static func lines(_ g: ItemGuide) -> [String] {
        var out = ["事项：\(g.name)（\(g.code)）"]
        if !g.conditions.isEmpty { out.append("受理条件：\(g.conditions)") }
        for (i, m) in g.materials.enumerated() {
            let need = m.need == .required ? "必需" : "视情形" + (m.condition.map { "（\($0)）" } ?? "")
            out.append("材料\(i + 1)：\(m.name)，\(m.form.chineseName) \(m.copies) 份，\(need)")
        }
        out.append(g.caseType == .immediate ? "办理时限：即办" : "办理时限：承诺 \(g.promisedDays) 个工作日（法定 \(g.legalDays) 个工作日）")
        out.append(g.fee.free ? "收费：不收费" : "收费：\(g.fee.standard ?? "")")
        if !g.consultPhone.isEmpty { out.append("咨询电话：\(g.consultPhone)") }
        return out
    }

    static func create(_ input: InquiryInput, req: Request) async throws -> InquiryModel {
        let scope = try await req.scope()
        let p = scope.principal
        var errors: [FieldError] = []
        let visitor = (input.visitorName ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if visitor.isEmpty {
            errors.append(FieldError("visitorName", "required"))
        } else if visitor.count > 100 {
            errors.append(FieldError("visitorName", "tooLong"))
        }
        var phone = ""
        if let raw = input.visitorPhone, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            if let n = PhoneNumber.normalized(raw) { phone = n } else { errors.append(FieldError("visitorPhone", "phone")) }
        }
        let question = (input.question ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if question.isEmpty {
            errors.append(FieldError("question", "required"))
        } else if question.count > 2000 {
            errors.append(FieldError("question", "tooLong"))
        }
        var item: (CatalogSnapshot.Item, ItemGuide)?
        if let code = input.item?.trimmingCharacters(in: .whitespaces), !code.isEmpty {
            if let (row, guide, _) = try? await CaseService.itemInForce(code, center: p.centerID, req: req) {
                item = (row, guide)
            } else {
                errors.append(FieldError("item", "case.itemNotInForce"))
            }
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let told = String(decoding: try JSONEncoder.sorted.encode(item.map { lines($0.1) } ?? []), as: UTF8.self)
        let (phoneNumber, itemID, itemName) = (phone, item?.0.id, item?.1.name ?? "")
        let now = HallClock.millis(req.now)
        let today = HallClock.day(req.now)
        guard let center = try await CenterModel.find(p.centerID, on: req.db) else { throw Abort(.notFound) }
        return try await req.audited { db -> (InquiryModel, [AuditEvent]) in
            let start = HallClock.millis(HallClock.instant(today, minute: 0))
            let count = try await InquiryModel.query(on: db).filter(\.$centerID == center.id!).filter(\.$createdAt >= start).count()
            let m = InquiryModel()
            m.id = UUID.timeOrdered()
            m.centerID = center.id!
            m.serial = "\(center.code)-\(String(today.year * 10_000 + today.month * 100 + today.day))-Q\(String(format: "%04d", count + 1))"
            m.ownerID = p.id
            m.ownerName = p.displayName
            m.visitorName = visitor
            m.visitorPhone = phoneNumber
            m.question = question
            m.itemID = itemID
            m.itemName = itemName
            m.told = told
            m.status = "open"
            m.answer = ""
            m.handedToName = ""
            m.createdAt = now
            try await m.create(on: db)
            return (
                m,
                [AuditEvent("inquiry.create", "inquiry", id: m.id, center: m.centerID, detail: ["serial": m.serial, "item": m.itemName])]
            )
        }
    }

    /// Its owner, or the colleague it was handed to, answers it.
    static func answer(_ id: UUID, _ input: InquiryInput, req: Request) async throws -> InquiryModel {
        let p = try req.requirePrincipal()
        let text = (input.answer ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw ValidationFailure([FieldError("answer", "required")]) }
        if text.count > 2000 { throw ValidationFailure([FieldError("answer", "tooLong")]) }
        let now = HallClock.millis(req.now)
        return try await req.audited { db -> (InquiryModel, [AuditEvent]) in
            guard let m = try await InquiryModel.find(id, on: db) else { throw Abort(.notFound) }
            let mine = (m.status == "open" && m.ownerID == p.id) || (m.status == "handed_over" && m.handedTo == p.id)
            guard mine else { throw Abort(.forbidden, reason: req.t("inquiry.notYours")) }
            m.status = "answered"
            m.answer = text
            m.closedAt = now
            try await m.save(on: db)
            return (m, [AuditEvent("inquiry.answer", "inquiry", id: m.id, center: m.centerID, detail: ["serial": m.serial])])
        }
    }

    /// The owner hands the question to a colleague of a center in their scope, who then owns it.
    static func handOver(_ id: UUID, _ input: InquiryInput, req: Request) async throws -> InquiryModel {
        let scope = try await req.scope()
        let p = scope.principal
        var target: UserModel?
        if let id = input.userID { target = try await UserModel.find(id, on: req.db) }
        guard let to = target, to.id != p.id,
            scope.contains(to.centerID), let role = Role(rawValue: to.role), Inquiries.staff.admits(role), !to.disabled
        else { throw ValidationFailure([FieldError("userID", "invalidReference")]) }
        let note = (input.answer ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let now = HallClock.millis(req.now)
        return try await req.audited { db -> (InquiryModel, [AuditEvent]) in
            guard let m = try await InquiryModel.find(id, on: db) else { throw Abort(.notFound) }
            guard m.status == "open", m.ownerID == p.id else { throw Abort(.forbidden, reason: req.t("inquiry.notYours")) }
            m.status = "handed_over"
            m.handedTo = to.id
            m.handedToName = to.displayName
            m.answer = note
            try await m.save(on: db)
            try await Outbox.enqueue(
                "inquiry.handover",
                .init(title: "首问转交：\(m.serial)", body: m.question, link: "/inquiries/\(m.id!)", data: ["serial": m.serial]),
                users: [to.id!], center: m.centerID, at: now, on: db)
            return (
                m,
                [
                    AuditEvent(
                        "inquiry.handover", "inquiry", id: m.id, center: m.centerID,
                        detail: ["serial": m.serial, "to": to.username])
                ]
            )
        }
    }

    /// One the caller owns, was handed, or (an administrator) of their centers.
    static func visible(_ id: UUID, req: Request) async throws -> InquiryModel {
        let scope = try await req.scope()
        let p = scope.principal
        guard let m = try await InquiryModel.find(id, on: req.db), scope.contains(m.centerID),
            m.ownerID == p.id || m.handedTo == p.id || p.role == .centerAdmin
        else { throw Abort(.notFound) }
        return m
    }

    static func list(_ req: Request) async throws -> [InquiryModel] {
        let scope = try await req.scope()
        let p = scope.principal
        var q = InquiryModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers))
        if p.role != .centerAdmin { q = q.group(.or) { $0.filter(\.$ownerID == p.id).filter(\.$handedTo == p.id) } }
        return try await q.sort(\.$createdAt, .descending).limit(200).all()
    }

    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .POST, "inquiries", access: staff,
            operation: .init(
                id: "createInquiry",
                summary: "Record a visitor's question (首问负责); with an item, what it needs is recorded as told (一次性告知)",
                tag: "Cases", request: "InquiryInput", response: "Inquiry", successStatus: 201)
        ) { req in try await OrgAPIController.created(InquiryDTO(try await create(req.content.decode(InquiryInput.self), req: req)), req) }
        api.endpoint(
            .GET, "inquiries", access: staff,
            operation: .init(
                id: "listInquiries", summary: "Questions the caller owns or was handed (all of their centers for administrators)",
                tag: "Cases", response: "Inquiry", responseIsList: true)
        ) { req in try await list(req).map(InquiryDTO.init) }
        api.endpoint(
            .POST, "inquiries", ":id", "answer", access: staff,
            operation: .init(
                id: "answerInquiry", summary: "Answer a question one owns", tag: "Cases", request: "InquiryInput", response: "Inquiry")
        ) { req in InquiryDTO(try await answer(try req.uuid("id"), req.content.decode(InquiryInput.self), req: req)) }
        api.endpoint(
            .POST, "inquiries", ":id", "handover", access: staff,
            operation: .init(
                id: "handOverInquiry", summary: "Hand a question one owns to a colleague (userID), who then owns it", tag: "Cases",
                request: "InquiryInput", response: "Inquiry")
        ) { req in InquiryDTO(try await handOver(try req.uuid("id"), req.content.decode(InquiryInput.self), req: req)) }
    }
}
