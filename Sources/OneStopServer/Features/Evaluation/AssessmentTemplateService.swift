import Fluent
import Foundation
import OneStopCore
import Vapor

/// 百分制 templates (issue 21): a center's criteria for a year, each computed from an indicator by a
/// rule or scored by hand; the township example of DOMAIN.md ships as `example: township`.
extension AssessmentService {
    // MARK: templates

    struct RuleDTO: Content {
        /// `linear`, `thresholds`, `per_count` or `by_hand`.
        var kind: String
        var zeroAt: Double?
        var fullAt: Double?
        var steps: [ScoringRule.Step]?
        var deduct: Double?
        var floor: Double?

        init(_ r: ScoringRule) {
            switch r {
            case .linear(let z, let f): (kind, zeroAt, fullAt) = ("linear", z, f)
            case .thresholds(let s): (kind, steps) = ("thresholds", s)
            case .perCount(let d, let f): (kind, deduct, floor) = ("per_count", d, f)
            case .byHand: kind = "by_hand"
            }
        }

        var rule: ScoringRule? {
            switch kind {
            case "linear": return zeroAt.flatMap { z in fullAt.map { .linear(zeroAt: z, fullAt: $0) } }
            case "thresholds": return steps.map { .thresholds($0) }
            case "per_count": return deduct.map { .perCount(deduct: $0, floor: floor ?? 0) }
            case "by_hand": return .byHand
            default: return nil
            }
        }
    }

    struct CriterionDTO: Content {
        var key: String
        var name: String
        var points: Double
        var indicator: String?
        var rule: RuleDTO
        /// The rule in words.
        var ruleText: String?

        init(_ c: AssessmentCriterion) {
            (key, name, points, indicator, rule, ruleText) = (c.key, c.name, c.points, c.indicator?.rawValue, RuleDTO(c.rule), c.rule.text)
        }
    }

    struct TemplateInput: Content {
        var center: String?
        var year: Int?
        var name: String?
        var criteria: [CriterionDTO]?
        /// `township`: the DOMAIN example's criteria.
        var example: String?
    }

    struct TemplateDTO: Content {
        var id: UUID
        var centerID: UUID
        var year: Int
        var name: String
        var criteria: [CriterionDTO]
        var points: Double
        var createdBy: String
    }

    static func dto(_ m: AssessmentTemplateModel) -> TemplateDTO {
        let criteria = m.criteriaValue
        return TemplateDTO(
            id: m.id!, centerID: m.centerID, year: m.year, name: m.name, criteria: criteria.map(CriterionDTO.init),
            points: criteria.map(\.points).reduce(0, +), createdBy: m.createdBy)
    }

    static func createTemplate(_ input: TemplateInput, req: Request) async throws -> AssessmentTemplateModel {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        let center = try await WorkOrderService.center(input.center, req: req)
        let centerID = try center.requireID()
        try scope.require(centerID)
        var errors: [FieldError] = []
        let year = input.year ?? HallClock.day(req.now).year
        if !(2000...2100).contains(year) { errors.append(FieldError("year", "invalidChoice")) }
        var criteria: [AssessmentCriterion] = []
        if let example = input.example, !example.isEmpty {
            guard example == "township" else { throw ValidationFailure([FieldError("example", "invalidChoice")]) }
            criteria = AssessmentTemplates.township
        } else {
            for (i, c) in (input.criteria ?? []).enumerated() {
                var indicator: Indicator?
                if let raw = c.indicator, !raw.isEmpty {
                    indicator = Indicator(rawValue: raw)
                    if indicator == nil { errors.append(FieldError("criteria.\(i).indicator", "invalidChoice")) }
                }
                guard let rule = c.rule.rule else {
                    errors.append(FieldError("criteria.\(i).rule", "invalidChoice"))
                    continue
                }
                criteria.append(
                    AssessmentCriterion(
                        key: c.key.trimmingCharacters(in: .whitespaces), name: c.name.trimmingCharacters(in: .whitespaces),
                        points: c.points,
                        indicator: indicator, rule: rule))
            }
        }
        let name = (input.name ?? "").trimmingCharacters(in: .whitespaces)
        errors += AssessmentTemplates.problems(name: name, criteria: criteria).map { FieldError($0.field, $0.code) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let m = AssessmentTemplateModel()
        m.id = UUID.timeOrdered()
        m.centerID = centerID
        m.year = year
        m.name = name
        m.criteriaValue = criteria
        m.createdBy = p.displayName
        m.createdAt = HallClock.millis(req.now)
        let total = ScoringRule.number(criteria.map(\.points).reduce(0, +))
        return try await req.audited { db -> (AssessmentTemplateModel, [AuditEvent]) in
            try await m.storeNew(on: db)
            return (
                m,
                [
                    AuditEvent(
                        "assessmentTemplate.create", "assessment_template", id: m.id, center: centerID,
                        detail: ["name": name, "year": String(year), "points": total])
                ]
            )
        }
    }

    static func templates(center: UUID, req: Request) async throws -> [AssessmentTemplateModel] {
        let scope = try await req.scope()
        let line = scope.tree.ancestry(center).filter { scope.tree.nodes[$0] != nil }
        return try await AssessmentTemplateModel.query(on: req.db).filter(\.$centerID ~~ line).sort(\.$year, .descending)
            .sort(\.$name).all()
    }
}
