from django.urls import path

from jingpei.funds import views

app_name = "funds"
urlpatterns = [
    path("funds/", views.index, name="index"),
    path("funds/export/", views.export, name="export"),
    path("funds/approvals/", views.approvals, name="approvals"),
    path("funds/chain/", views.chain, name="chain"),
    path("funds/budgets/new/", views.budget_new, name="budget_new"),
    path("funds/budgets/<int:budget_id>/", views.budget_detail, name="budget"),
    path("funds/budgets/<int:budget_id>/edit/", views.budget_edit, name="budget_edit"),
    path("funds/budgets/<int:budget_id>/act/", views.budget_act, name="budget_act"),
    path("funds/budgets/<int:budget_id>/expenses/new/", views.expense_new, name="expense_new"),
    path("funds/budgets/<int:budget_id>/adjustments/new/", views.adjustment_new, name="adjustment_new"),
    path("funds/adjustments/<int:adjustment_id>/", views.adjustment_detail, name="adjustment"),
    path("funds/adjustments/<int:adjustment_id>/edit/", views.adjustment_edit, name="adjustment_edit"),
    path("funds/adjustments/<int:adjustment_id>/act/", views.adjustment_act, name="adjustment_act"),
    path("funds/expenses/<int:expense_id>/", views.expense_detail, name="expense"),
    path("funds/expenses/<int:expense_id>/edit/", views.expense_edit, name="expense_edit"),
    path("funds/expenses/<int:expense_id>/act/", views.expense_act, name="expense_act"),
    path("funds/expenses/<int:expense_id>/invoices/", views.invoices_add, name="invoices_add"),
    path("funds/invoices/<int:invoice_id>/", views.invoice, name="invoice"),
    path("funds/invoices/<int:invoice_id>/delete/", views.invoice_delete, name="invoice_delete"),
]
