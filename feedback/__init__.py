"""What residents send in: feedback, complaints, emergency calls and connection requests.

Built in its own issue; the package exists so the layout of the design card is complete.
"""
