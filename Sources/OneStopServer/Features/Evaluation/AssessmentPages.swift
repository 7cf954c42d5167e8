import Fluent
import Foundation
import OneStopCore
import Vapor

/// `/assessments` and `/assessments/{id}` (issue 21).
enum AssessmentPages {
    typealias S = AssessmentService

    struct TemplateRow: Encodable {
        var id: String
        var name: String
        var year: Int
        var points: String
        var criteria: String
    }

    struct RunRow: Encodable {
        var href: String
        var name: String
        var subjects: String
        var period: String
        var version: Int
        var state: String
    }

    struct ListView: Encodable {
        var centerOptions: [FormView.Option]
        var center: String
        var templates: [TemplateRow]
        var templateOptions: [FormView.Option]
        var subjectOptions: [FormView.Option]
        var kindOptions: [FormView.Option]
        var indicatorOptions: [FormView.Option]
        var ruleOptions: [FormView.Option]
        var rows: [Int]
        var date: String
        var year: Int
        var runs: [RunRow]
        var canCreate: Bool
        var errors: [String]
    }

    struct TemplateForm: Content {
        var center: String?
        var name: String?
        var year: Int?
        var example: String?
        var cname: [String]?
        var cpoints: [String]?
        var cindicator: [String]?
        var crule: [String]?
        var ca: [String]?
        var cb: [String]?

        /// The typed rows that have a name; rates typed in per cent.
        var input: S.TemplateInput {
            var criteria: [S.CriterionDTO] = []
            let names = cname ?? []
            for (i, raw) in names.enumerated() {
                let name = raw.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { continue }
                func at(_ a: [String]?) -> String { a.flatMap { i < $0.count ? $0[i] : nil } ?? "" }
                let kind = at(crule).isEmpty ? "by_hand" : at(crule)
                let a = Double(at(ca).trimmingCharacters(in: .whitespaces))
                let b = Double(at(cb).trimmingCharacters(in: .whitespaces))
                var rule = S.RuleDTO(.byHand)
                rule.kind = kind
                switch kind {
                case "linear": (rule.zeroAt, rule.fullAt) = (a.map { $0 / 100 }, b.map { $0 / 100 })
                case "per_count": (rule.deduct, rule.floor) = (a, b ?? 0)
                default: break
                }
                var c = S.CriterionDTO(AssessmentCriterion(key: "c\(criteria.count + 1)", name: name, points: Double(at(cpoints)) ?? -1))
                c.indicator = at(cindicator).isEmpty ? nil : at(cindicator)
                c.rule = rule
                criteria.append(c)
            }
            return S.TemplateInput(
                center: center, year: year, name: name, criteria: criteria, example: example == "township" ? "township" : nil)
        }
    }

    struct StartForm: Content {
        var center: String?
        var template: String?
        var subjects: String?
        var kind: String?
        var date: String?
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "assessments", access: S.readers) { req in try await list(req, errors: []) }
        app.endpoint(.POST, "assessments", "templates", access: S.leaders) { req -> Response in
            let f = try req.content.decode(TemplateForm.self)
            do {
                let m = try await S.createTemplate(f.input, req: req)
                req.flash(req.t("assessment.templateCreated", "name", m.name))
                return req.redirect(to: "/assessments?center=\(m.centerID)")
            } catch let v as ValidationFailure {
                return try await list(req, errors: messages(v, req), status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "assessments", access: S.scorers) { req -> Response in
            let f = try req.content.decode(StartForm.self)
            let kind = EvaluationPeriod.Kind(rawValue: f.kind ?? "month") ?? .month
            let date = (f.date).flatMap(CivilDate.init)
            do {
                guard let date, kind != .range else { throw ValidationFailure([FieldError("date", "date")]) }
                let run = try await S.start(
                    .init(
                        template: f.template.flatMap(UUID.init(uuidString:)), center: f.center, subjects: f.subjects,
                        period: EvaluationPeriod(kind, containing: date).description), req: req)
                req.flash(req.t("assessment.started"))
                return req.redirect(to: "/assessments/\(run.id!)")
            } catch let v as ValidationFailure {
                return try await list(req, errors: messages(v, req), status: .unprocessableEntity)
            }
        }
        app.endpoint(.GET, "assessments", ":id", access: S.readers) { req in try await report(req, errors: []) }
        app.endpoint(.POST, "assessments", ":id", "scores", access: S.scorers) { req -> Response in
            let id = try req.uuid("id")
            struct F: Content {
                var subject: String?
                var criterion: String?
                var points: String?
                var reason: String?
                var evidence: String?
            }
            let f = try req.content.decode(F.self)
            do {
                let points = f.points.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                if points == nil, !(f.points ?? "").isEmpty { throw ValidationFailure([FieldError("points", "number")]) }
                _ = try await S.score(
                    id, .init(subject: f.subject, criterion: f.criterion, points: points, reason: f.reason, evidence: f.evidence), req: req)
                req.flash(req.t("assessment.scored"))
                return req.redirect(to: "/assessments/\(id)")
            } catch let v as ValidationFailure {
                return try await report(req, errors: messages(v, req), status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "assessments", ":id", "import", access: S.scorers, body: .collect(maxSize: "3mb")) { req -> Response in
            let id = try req.uuid("id")
            struct F: Content {
                var criterion: String?
                var source: String?
                var file: File?
                var csv: String?
            }
            let f = try req.content.decode(F.self)
            var csv = f.csv ?? ""
            if let file = f.file, file.data.readableBytes > 0 { csv = String(decoding: Data(file.data.readableBytesView), as: UTF8.self) }
            do {
                _ = try await AssessmentImport.importScores(id, .init(criterion: f.criterion, source: f.source, csv: csv), req: req)
                req.flash(req.t("assessment.imported"))
                return req.redirect(to: "/assessments/\(id)")
            } catch let v as ValidationFailure {
                return try await report(req, errors: messages(v, req), status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "assessments", ":id", "review", access: S.leaders) { req -> Response in
            let id = try req.uuid("id")
            struct F: Content {
                var subject: String?
                var adjustment: String?
                var reason: String?
                var comment: String?
            }
            let f = try req.content.decode(F.self)
            do {
                let adjustment = (f.adjustment ?? "").trimmingCharacters(in: .whitespaces)
                let value = adjustment.isEmpty ? 0 : Double(adjustment)
                if value == nil { throw ValidationFailure([FieldError("adjustment", "number")]) }
                let subject = (f.subject ?? "").isEmpty ? nil : f.subject
                _ = try await S.review(id, .init(subject: subject, adjustment: value, reason: f.reason, comment: f.comment), req: req)
                req.flash(req.t("assessment.reviewed"))
                return req.redirect(to: "/assessments/\(id)")
            } catch let v as ValidationFailure {
                return try await report(req, errors: messages(v, req), status: .unprocessableEntity)
            }
        }
        app.endpoint(.POST, "assessments", ":id", "sign-off", access: S.leaders) { req -> Response in
            let id = try req.uuid("id")
            _ = try await S.signOff(id, req: req)
            req.flash(req.t("assessment.signedOff"))
            return req.redirect(to: "/assessments/\(id)")
        }
    }

    static func messages(_ v: ValidationFailure, _ req: Request) -> [String] {
        v.errors.map { req.application.catalog.fieldMessage($0, req.language) }
    }

    static func list(_ req: Request, errors: [String], status: HTTPStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let center = try req.chosenCenter(scope)
        let templates = try await S.templates(center: center, req: req)
        let today = HallClock.day(req.now)
        let lastMonth = EvaluationPeriod(.month, containing: today).previous.first
        let view = ListView(
            centerOptions: req.centerOptions(scope, selected: center.uuidString), center: center.uuidString,
            templates: templates.map { t in
                let c = t.criteriaValue
                return TemplateRow(
                    id: t.id!.uuidString, name: t.name, year: t.year, points: ScoringRule.number(c.map(\.points).reduce(0, +)),
                    criteria: c.map { "\($0.name) \(ScoringRule.number($0.points))" }.joined(separator: "、"))
            },
            templateOptions: templates.map { .init(value: $0.id!.uuidString, label: "\($0.year) \($0.name)", selected: false) },
            subjectOptions: ["window", "department", "center"].map {
                .init(value: $0, label: req.t("assessment.subjects.\($0)"), selected: $0 == "window")
            },
            kindOptions: EvaluationPeriod.Kind.allCases.filter { $0 != .range }.map {
                .init(value: $0.rawValue, label: req.t("indicator.kind.\($0.rawValue)"), selected: $0 == .month)
            },
            indicatorOptions: [.init(value: "", label: req.t("assessment.byHand"), selected: true)]
                + Indicator.allCases.map { .init(value: $0.rawValue, label: req.t("indicator.\($0.rawValue)"), selected: false) },
            ruleOptions: ["by_hand", "linear", "per_count"].map {
                .init(value: $0, label: req.t("assessment.rule.\($0)"), selected: $0 == "by_hand")
            },
            rows: Array(1...8), date: lastMonth.description, year: today.year,
            runs: try await AssessmentRoutes.runs(center: center, req: req).map {
                RunRow(
                    href: "/assessments/\($0.id)", name: $0.name, subjects: req.t("assessment.subjects.\($0.subjects)"),
                    period: $0.periodLabel,
                    version: $0.version, state: req.t("assessment.state.\($0.state)"))
            },
            canCreate: req.principal?.role == .centerAdmin, errors: errors)
        return try await req.page("evaluation/assessments", title: req.t("assessment.title"), view, status: status)
    }

    struct Cell: Encodable {
        var text: String
        var note: String
    }

    struct Line: Encodable {
        var rank: Int
        var subject: String
        var name: String
        var cells: [Cell]
        var adjustment: String
        var total: String
        var percent: String
        var comment: String
    }

    struct ReportView: Encodable {
        var report: AssessmentRoutes.Report
        var subjectsText: String
        /// Each criterion with its points and rule, in words.
        var rules: [String]
        /// The hand scores' reasons and evidence, a line each.
        var reasons: [String]
        /// Full marks, as the header shows them.
        var outOf: String
        var stateText: String
        var steps: [Step]
        var columns: [String]
        var lines: [Line]
        var subjectOptions: [FormView.Option]
        var handOptions: [FormView.Option]
        var canScore: Bool
        var canReview: Bool
        var canSignOff: Bool
        var csv: String
        var xlsx: String
        var printed: String
        var errors: [String]

        struct Step: Encodable {
            var name: String
            var done: Bool
            var who: String
        }
    }

    static func report(_ req: Request, errors: [String], status: HTTPStatus = .ok) async throws -> Response {
        let run = try await S.run(try req.uuid("id"), req: req)
        let r = try await AssessmentRoutes.report(run, req: req)
        let criteria = run.criteriaValue
        let state = AssessmentState(rawValue: run.state) ?? .scoring
        let allScored = try await S.allScored(run, on: req.db)
        let role = req.principal?.role
        let pending = req.t("assessment.pending")
        let lines = r.lines.map { l in
            Line(
                rank: l.rank, subject: l.subject, name: l.name,
                cells: criteria.map { c in
                    let points = (l.scores[c.key] ?? nil).map(ScoringRule.number)
                    return Cell(
                        text: points ?? (c.byHand ? pending : req.t("assessment.noData")),
                        note: l.figures[c.key].map { req.t("assessment.figure", ["figure": $0]) } ?? "")
                },
                adjustment: l.adjustment == 0 ? "" : (l.adjustment > 0 ? "+" : "") + ScoringRule.number(l.adjustment),
                total: ScoringRule.number(l.points), percent: l.percent.map { ScoringRule.number($0) + "%" } ?? "—",
                comment: [l.comment, l.adjustmentReason].filter { !$0.isEmpty }.joined(separator: "；"))
        }
        let stamp = DateFormatter()
        stamp.timeZone = HallClock.zone
        stamp.dateFormat = "yyyy-MM-dd HH:mm"
        let reasons = r.lines.flatMap { l in
            criteria.compactMap { c -> String? in
                guard let why = l.reasons[c.key], let points = l.scores[c.key] ?? nil else { return nil }
                return "\(l.name) · \(c.name) \(ScoringRule.number(points))\(req.t("assessment.pointsUnit"))\(req.t("punct.colon"))\(why)"
            }
        }
        let view = ReportView(
            report: r, subjectsText: req.t("assessment.subjects.\(run.subjectKind)"),
            rules: criteria.map {
                "\($0.name)（\(ScoringRule.number($0.points))\(req.t("assessment.pointsUnit"))）\(req.t("punct.colon"))\($0.rule.text)"
            },
            reasons: reasons, outOf: ScoringRule.number(r.outOf), stateText: req.t("assessment.state.\(run.state)"),
            steps: [
                .init(name: req.t("assessment.step.analysis"), done: true, who: run.startedBy + " · " + run.frozenOn),
                .init(name: req.t("assessment.step.scoring"), done: allScored, who: ""),
                .init(name: req.t("assessment.step.review"), done: state != .scoring, who: run.reviewedBy),
                .init(name: req.t("assessment.step.report"), done: state == .signed, who: run.signedBy),
            ],
            columns: criteria.map { "\($0.name)（\(ScoringRule.number($0.points))）" }, lines: lines,
            subjectOptions: r.lines.map { .init(value: $0.subject, label: $0.name, selected: false) }.sorted { $0.label < $1.label },
            handOptions: criteria.filter(\.byHand).map {
                .init(value: $0.key, label: "\($0.name)（≤\(ScoringRule.number($0.points))）", selected: false)
            },
            canScore: state == .scoring && role != nil && [.centerAdmin, .supervisor, .campaignOffice].contains(role!),
            canReview: state != .signed && allScored && role == .centerAdmin, canSignOff: state == .review && role == .centerAdmin,
            csv: "/api/v1/assessments/\(r.id)?format=csv", xlsx: "/api/v1/assessments/\(r.id)?format=xlsx",
            printed: req.t("indicator.printed", ["at": stamp.string(from: req.now), "zone": HallClock.zone.identifier]), errors: errors)
        return try await req.page("evaluation/assessment", title: r.name, view, status: status)
    }
}
