//! `heitje budgets`: the neighbourhood budgets.

use serde_json::json;

use crate::context::Context;
use crate::output::Table;

/// Runs `heitje budgets`.
pub(crate) fn run(ctx: &Context) -> anyhow::Result<()> {
    budgets(ctx)
}

/// `budgets`.
pub(crate) fn budgets(ctx: &Context) -> anyhow::Result<()> {
    let budgets = ctx.client().budgets()?;
    ctx.out.result(&json!({ "budgets": budgets }), || {
        if budgets.is_empty() {
            return "No budgets yet; the treasurer creates one by funding it.".to_owned();
        }
        let mut table = Table::new(&["BUDGET", "BALANCE"]);
        for budget in &budgets {
            table.row(vec![budget.code.to_string(), budget.balance.to_string()]);
        }
        table.render()
    })?;
    Ok(())
}
