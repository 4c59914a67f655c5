"""The practitioner exchange (#25): 1:1 meetings between participants who opted in."""
