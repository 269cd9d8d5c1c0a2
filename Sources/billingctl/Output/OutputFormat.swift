import ArgumentParser

/// How billingctl prints results: a table for people, JSON or CSV for machines.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
    case csv
}
