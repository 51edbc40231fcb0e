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
    path("funds/expenses/<int:expense_id>/", views.expense_detail, name="expense"),
    path("funds/expenses/<int:expense_id>/edit/", views.expense_edit, name="expense_edit"),
    path("funds/expenses/<int:expense_id>/act/", views.expense_act, name="expense_act"),
    path("funds/expenses/<int:expense_id>/invoices/", views.invoices_add, name="invoices_add"),
    path("funds/invoices/<int:invoice_id>/", views.invoice, name="invoice"),
    path("funds/invoices/<int:invoice_id>/delete/", views.invoice_delete, name="invoice_delete"),
]
