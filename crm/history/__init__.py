"""The audit history: the "Verlauf" of a record with one-click restore of a field, and the
staff review feed of the changes initiative editors made ("Änderungen durch Initiativen")."""
